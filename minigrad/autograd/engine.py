"""The backward pass, one node at a time.

``backward_steps`` is the engine: a generator that runs the graph's nodes in the order PyTorch
runs them and yields a ``BackwardStep`` after each one. ``backward`` and ``grad`` simply drain it,
so a widget that replays the steps shows exactly what ``loss.backward()`` does.

The order: a node runs once every node that sends it a gradient has run, so a tensor used twice
(``a + a``) has both contributions summed first. Among the nodes that are ready, the one created
last runs first, and ``AccumulateGrad`` (writing a leaf's ``.grad``) runs as soon as it is ready;
that is PyTorch's rule too, and it makes the order deterministic.

Gradients travel as plain numpy arrays, because nothing about them needs recording, except with
``create_graph=True``: then they are tensors and every backward formula is itself recorded.
"""
import heapq
import warnings

import numpy as np

from . import anomaly_mode, grad_mode
from .function import AccumulateGrad, _NodePreHook, _OutputHook
from .._dtype import from_numpy
from ..ops._dual import sum_to
from ..tensor import Size, Tensor

_STATE = grad_mode.STATE
_ANOMALY = anomaly_mode.STATE


class BackwardStep:
    """What one node did during backward (the values read as tensors).

    - ``node``: the ``grad_fn`` (or ``AccumulateGrad``) that ran;
    - ``incoming``: the gradient that arrived at it (summed over every use of its output);
    - ``outgoing``: what it sent along each of its ``next_functions`` (``None`` where nothing goes);
    - for ``AccumulateGrad`` only: ``leaf``, and its ``.grad`` before the step (``grad_before``,
      ``None`` the first time) and after it (``grad_after``), as they were at that moment.
    """

    __slots__ = ("index", "node", "leaf", "_incoming", "_outgoing", "_before", "_after")

    def __init__(self, index, node, incoming, outgoing, leaf=None, before=None, after=None):
        self.index, self.node, self.leaf = index, node, leaf
        self._incoming, self._outgoing = incoming, outgoing
        self._before, self._after = before, after

    incoming = property(lambda self: _as_tensor(self._incoming))  # a tuple for several outputs
    outgoing = property(lambda self: tuple(_as_tensor(g) for g in self._outgoing))
    grad_before = property(lambda self: _as_tensor(self._before))
    grad_after = property(lambda self: _as_tensor(self._after))

    def __repr__(self):
        return f"BackwardStep({self.index}, {self.node.name()})"


def backward_steps(roots, gradients=None, retain_graph=False, create_graph=False, accumulate=True):
    """Run backward from ``roots`` node by node, yielding a ``BackwardStep`` after each.

    ``gradients``: one per root (``None`` means 1 for a scalar root). ``accumulate=False`` runs
    every node for real but writes no ``.grad`` (leaves' nor ``retain_grad()`` tensors'): a dry
    run, which the widgets use so that watching changes nothing (tensor hooks still run, as they
    may change the gradients). If anything fails, every ``.grad`` the run wrote is put back.
    """
    return _run(roots, gradients, retain_graph, create_graph, None, accumulate)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradient of ``tensors`` and add it to every leaf's ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        _warn_once(_CREATE_GRAPH_WARNING)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        grads = _grad_for(tensors, grad_tensors, inputs, retain_graph, create_graph, True)
        for t, g in zip(inputs, grads):
            if g is not None:
                _store(t, g)
        return
    for _ in _run(tensors, grad_tensors, retain_graph, create_graph, None, True):
        pass


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) (a vector-Jacobian product) without touching any ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    return _grad_for(outputs, grad_outputs, inputs, retain_graph, create_graph, allow_unused)


def _grad_for(outputs, grad_outputs, inputs, retain_graph, create_graph, allow_unused):
    captures = {t._gradient_node(): None for t in inputs}
    for _ in _run(outputs, grad_outputs, retain_graph, create_graph, captures, False):
        pass
    result = []
    for i, t in enumerate(inputs):
        g = captures[t._gradient_node()]
        if g.__class__ is list:  # t is one output of a node with several
            g = g[t.output_nr]
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                               "used in the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(None if g is None else g if isinstance(g, Tensor) else _fresh(g, t))
    return tuple(result)


def _run(roots, gradients, retain_graph, create_graph, captures, accumulate):
    """The engine loop behind ``backward_steps``, ``backward`` and ``grad``.

    ``captures`` (for ``grad``): a dict whose keys are the nodes of the wanted inputs; their
    gradients are stored there instead of in ``.grad``, and no leaf is touched.
    """
    raw = not create_graph  # gradients as numpy arrays
    roots = (roots,) if isinstance(roots, Tensor) else tuple(roots)
    gradients = _as_tuple(gradients, len(roots))
    if len(gradients) != len(roots):
        raise RuntimeError(f"got {len(gradients)} gradients for {len(roots)} tensors")
    buffers = {}  # node -> gradient summed so far
    for i, (root, g) in enumerate(zip(roots, gradients)):
        node = _root_node(root, i)
        _deposit(buffers, node, root.output_nr, _root_gradient(root, g, i, raw))
    dependencies = _count_dependencies(list(buffers), captures)
    ready = [(_order(n), n) for n in buffers if dependencies.get(n) == 0]
    heapq.heapify(ready)
    undo = []  # (leaf, .grad before, its values before): put back if anything fails
    index = 0
    previous_mode = _STATE.enabled
    node = None
    try:
        while ready:
            node = heapq.heappop(ready)[1]
            grad = buffers.pop(node, None)
            if grad is None:  # every path to it sent None: nothing to compute, pass the turn on
                _send(node, (None,) * len(node.next_functions), buffers, dependencies, ready)
                continue
            if create_graph:
                _STATE.enabled = True  # record what backward computes
            if node._pre_hooks is not None or node._retained is not None:
                grad = _run_pre_hooks(node, grad, raw, accumulate, undo)
            if captures is not None and node in captures:
                captures[node] = grad
                if not _reaches(node, dependencies):
                    continue  # grad(): nothing below this input is needed
            if node.__class__ is AccumulateGrad:
                if captures is not None:
                    continue  # grad() never touches .grad
                step = _accumulate(index, node, grad, raw, accumulate, undo)
            else:
                if node.builtin:  # trusted to return one gradient per argument
                    outgoing = node.backward(node, grad)  # on arrays when raw (see ops/_dual.py)
                    if outgoing.__class__ is not tuple:
                        outgoing = (outgoing,)
                    if node._positions is not None:
                        outgoing = tuple([outgoing[i] for i in node._positions])
                else:
                    outgoing = _call_user_backward(node, grad, raw)
                if node._post_hooks is not None:
                    outgoing = _run_post_hooks(node, outgoing, grad, raw)
                if _ANOMALY.enabled:
                    anomaly_mode.check_gradients(node, outgoing)
                _send(node, outgoing, buffers, dependencies, ready)
                if not retain_graph and node._saved:
                    node._release()
                step = BackwardStep(index, node, grad, outgoing)
            _STATE.enabled = previous_mode
            index += 1
            yield step
    except BaseException as error:
        if not isinstance(error, GeneratorExit):
            if _ANOMALY.enabled and node is not None:
                anomaly_mode.report(node)  # the warning naming the forward call, then the error
            for leaf, before, values in reversed(undo):
                if values is not None:
                    before._array[...] = values
                leaf._grad = before
        raise
    finally:
        _STATE.enabled = previous_mode


def _send(node, outgoing, buffers, dependencies, ready):
    """Add each outgoing gradient to its child's buffer; a child whose every contribution has now
    arrived (``None`` counts: that path just sends nothing) joins the ready queue."""
    for (child, nr), g in zip(node.next_functions, outgoing):
        if child not in dependencies:  # None, or not needed by grad()
            continue
        if g is not None:
            if child._n_outputs == 1:  # _deposit(), inlined for the common case
                buffers[child] = buffers[child] + g if child in buffers else g
            else:
                _deposit(buffers, child, nr, g)
        dependencies[child] -= 1
        if dependencies[child] == 0:
            heapq.heappush(ready, (_order(child), child))


def _deposit(buffers, node, nr, g):
    """Add ``g`` to the gradient waiting for output ``nr`` of ``node`` (a node with several
    outputs waits with a list: one slot per output, None until something arrives)."""
    if node._n_outputs == 1:
        buffers[node] = buffers[node] + g if node in buffers else g
        return
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node._n_outputs
    slots[nr] = g if slots[nr] is None else slots[nr] + g


# -- starting ------------------------------------------------------------------------------------
def _as_tuple(x, n=None):
    if x is None:
        return (None,) * (n or 1)
    if isinstance(x, (Tensor, float, int)):
        return (x,)
    return tuple(x)


def _root_node(root, i):
    if not root.requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return root._gradient_node()


def _root_gradient(root, g, i, raw):
    """The gradient backward starts from: ``g``, or 1 for a scalar root (as an array when raw)."""
    if g is None:
        if root._array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        g = np.ones(root._array.shape, root._array.dtype)
    elif not isinstance(g, Tensor):
        g = np.asarray(g, dtype=root._array.dtype)
    shape = g._array.shape if isinstance(g, Tensor) else g.shape
    if shape != root._array.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {Size(shape)!r} "
                           f"and output[{i}] has a shape of {Size(root._array.shape)!r}.")
    if isinstance(g, Tensor):
        return g._array if raw else g
    return g if raw else Tensor._make(g, False, None)


def _order(node):
    """Heap key: the newest node first, AccumulateGrad before everything (keys are unique, so the
    heap never compares nodes)."""
    return -(node._sequence_nr + node._run_first)


def _count_dependencies(starts, captures):
    """How many edges point at each node reachable from ``starts`` (iterative: no recursion limit).

    With ``captures`` (``grad()``), nodes that cannot reach a wanted input are left out.
    """
    dependencies = dict.fromkeys(starts, 0)
    stack = list(starts)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None:
                continue
            if child in dependencies:
                dependencies[child] += 1
            else:
                dependencies[child] = 1
                stack.append(child)
    if captures is None:
        return dependencies
    useful = _nodes_reaching(list(dependencies), captures)
    dependencies = dict.fromkeys([n for n in dependencies if n in useful], 0)
    for node in dependencies:
        for child, _ in node.next_functions:
            if child is not None and child in useful:
                dependencies[child] += 1
    return dependencies


def _nodes_reaching(order, targets):
    """The nodes from which some target can be reached (targets included)."""
    parents, present = {}, set(order)
    for node in order:
        for child, _ in node.next_functions:
            if child is not None:
                parents.setdefault(child, []).append(node)
    useful, stack = set(), [n for n in targets if n in present]
    while stack:
        node = stack.pop()
        if node not in useful:
            useful.add(node)
            stack.extend(parents.get(node, ()))
    return useful


def _reaches(node, dependencies):
    """Does running ``node`` lead anywhere still needed? (``grad`` skips nodes past its inputs.)"""
    return any(child is not None and child in dependencies for child, _ in node.next_functions)


# -- running one node ----------------------------------------------------------------------------
def _run_pre_hooks(node, grad, raw, accumulate, undo):
    """Tensor hooks (``register_hook``) and node pre-hooks may replace the gradient (checked as
    PyTorch checks it); ``retain_grad`` keeps a copy (not in a dry run: hooks still run there,
    since they can change what backward computes). A node with several outputs has one gradient
    per output, and a tensor's hook sees its own."""
    several = node._n_outputs != 1
    grads = list(grad) if several else [grad]
    with grad_mode.set_grad_enabled(not raw):
        for hook in node._pre_hooks or ():
            if isinstance(hook, _NodePreHook):
                grads = _node_pre_hook(hook, grads, raw)
                continue
            nr = hook.nr if isinstance(hook, _OutputHook) else 0
            if grads[nr] is not None:
                grads[nr] = _hook_result(hook, hook(_as_tensor(grads[nr])), grads[nr], raw)
        if accumulate and node._retained is not None:
            retained = node._retained if several else {0: node._retained}
            for nr, ref in retained.items():
                tensor = ref()
                if tensor is not None and grads[nr] is not None:
                    _store(tensor, _as_tensor(grads[nr]), undo)
    return grads if several else grads[0]


def _node_pre_hook(hook, grads, raw):
    result = hook.hook(tuple([_as_tensor(g) for g in grads]))
    if result is None:
        return grads
    result = _hook_values(hook.hook, result, len(grads))
    return [g if r is None else _hook_result(hook.hook, r, g, raw) for r, g in zip(result, grads)]


def _run_post_hooks(node, outgoing, grad, raw):
    """``node.register_hook(hook)``: ``hook(grad_inputs, grad_outputs)`` after the node ran; it
    may return replacements for the gradients the node sends on."""
    grad_outputs = tuple(_as_tensor(grad)) if node._n_outputs != 1 else (_as_tensor(grad),)
    for hook in node._post_hooks:
        result = hook(tuple([_as_tensor(g) for g in outgoing]), grad_outputs)
        if result is not None:
            result = _hook_values(hook, result, len(outgoing))
            outgoing = tuple([r if g is None or r is None else _hook_result(hook, r, g, raw)
                              for r, g in zip(result, outgoing)])
            outgoing = tuple([r._array if raw and isinstance(r, Tensor) else r for r in outgoing])
    return outgoing


def _hook_values(hook, result, expected):
    result = (result,) if isinstance(result, Tensor) else tuple(result)
    if len(result) != expected:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(result)}, but expected {expected})")
    return result


def _hook_result(hook, result, old, raw):
    """A hook's replacement for gradient ``old``: a tensor of the same size and type."""
    if result is None:
        return old
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    old_array = old._array if isinstance(old, Tensor) else old
    if result._array.shape != old_array.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    if result._array.dtype != old_array.dtype:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was "
                           f"torch.{_legacy_name(old_array)} got torch.{_legacy_name(result._array)})")
    return result._array if raw else result


def _hook_name(hook):
    hook = getattr(hook, "hook", hook)  # the user's function inside minigrad's wrappers
    return getattr(hook, "__name__", "<unknown>")


def _legacy_name(array):
    return from_numpy(array.dtype).legacy_name


def _call_user_backward(node, grad, raw):
    """A user-defined Function: tensors in and out, as in PyTorch, and its results checked."""
    if node._n_outputs == 1:
        incoming = (_as_tensor(grad),)
    else:
        incoming = node._gradients_for_backward([_as_tensor(g) for g in grad])
    with grad_mode.set_grad_enabled(not raw):
        grads = node.backward(node, *incoming)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.needs_input_grad):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.needs_input_grad)}, got {len(grads)})")
    if node._positions is not None:
        grads = tuple([grads[i] for i in node._positions])
    return tuple([_check_gradient(node, i, child, nr, g, raw)
                  for i, ((child, nr), g) in enumerate(zip(node.next_functions, grads))])


def _check_gradient(node, i, child, nr, g, raw):
    """A user Function's gradient must have its input's shape, or broadcast from it (then it is
    summed back, as PyTorch does)."""
    if g is None or child is None:
        return None
    if not isinstance(g, Tensor):
        g = _as_tensor(g)
    expected = child._output_shape if child._n_outputs == 1 else child._output_shapes[nr]
    if g._array.shape != expected:
        try:
            fits = np.broadcast_shapes(expected, g._array.shape) == g._array.shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - "
                               f"got {list(g._array.shape)} but expected shape compatible with {list(expected)}")
        g = sum_to(g, expected)
    return g._array if raw else g


def _accumulate(index, node, grad, raw, accumulate, undo):
    """``AccumulateGrad``: leaf.grad = grad the first time, leaf.grad += grad afterwards (in place,
    as PyTorch does). The step records copies, so later calls cannot change what it shows."""
    leaf = node.variable
    before = leaf._grad
    if before is None:
        shown_before = None
        if raw:  # a copy: the same array may also be flowing to other nodes
            after = Tensor._make(np.array(grad, dtype=leaf._array.dtype), False, None)
            shown_after = grad
        else:
            after = shown_after = _copy_with_history(grad, leaf) if grad.requires_grad \
                else _fresh(grad, leaf)
    elif not raw or before.requires_grad:  # gradients with a graph: keep the graph, add out of place
        after = shown_after = before + _as_tensor(grad)
        shown_before = before
    else:
        shown_before = before._array.copy()
        if accumulate:
            undo.append((leaf, before, shown_before))
            before._array += grad
            after, shown_after = before, before._array.copy()
        else:
            after = shown_after = Tensor._make(before._array + grad, False, None)
    if accumulate and after is not before:
        undo.append((leaf, before, None))
        leaf._grad = after
    return BackwardStep(index, node, grad, (), leaf, shown_before, shown_after)


# -- values --------------------------------------------------------------------------------------
def _as_tensor(value):
    if value is None or isinstance(value, Tensor):
        return value
    if value.__class__ is list:  # the gradients of a node with several outputs
        return tuple([_as_tensor(v) for v in value])
    return Tensor._make(np.asarray(value), False, None)


def _fresh(value, like):
    """A new tensor holding a copy of ``value``, in ``like``'s dtype (never aliasing anything)."""
    return Tensor._make(np.array(value._array if isinstance(value, Tensor) else value,
                                 dtype=like._array.dtype), False, None)


def _store(tensor, g, undo=None):
    """Add ``g`` to ``tensor.grad`` (``retain_grad`` and ``backward(inputs=...)``)."""
    if undo is not None:
        undo.append((tensor, tensor._grad, None))
    if tensor._grad is None:
        if not g.requires_grad:
            tensor._grad = _fresh(g, tensor)
        else:  # a gradient with history: a recorded copy, as PyTorch makes it
            tensor._grad = _copy_with_history(g, tensor) if tensor.grad_fn is None else g.clone()
    else:
        tensor._grad = tensor._grad + g


def _copy_with_history(g, leaf):
    """A leaf's first gradient under create_graph=True: PyTorch copies it into a new tensor,
    recorded (``grad_fn=<CopyBackwards>``), so the gradient's own graph goes on from there."""
    from ..ops.inplace import _CopyFrom
    with grad_mode.enable_grad():
        return _CopyFrom.apply(Tensor._make(np.zeros_like(leaf._array), False, None), g)


_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak.")
_warned = set()  # warnings PyTorch gives once per process


def _warn_once(message):
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=4)
