"""The backward pass, one node at a time.

``backward_steps`` is the engine: a generator that runs the graph's nodes in the order PyTorch
runs them and yields a ``BackwardStep`` after each one. ``backward`` and ``grad`` simply drain it,
so a widget that replays the steps shows exactly what ``loss.backward()`` does.

The order: a node runs once every node that sends it a gradient has run, so a tensor used twice
(``a + a``) has both contributions summed first. Among the nodes that are ready, the one created
last runs first, and ``AccumulateGrad`` (writing a leaf's ``.grad``) runs as soon as it is ready;
that is PyTorch's rule too, and it makes the order deterministic.
"""
import heapq

import numpy as np

from . import grad_mode
from .function import AccumulateGrad
from ..tensor import Tensor, Size

_STATE = grad_mode.STATE
_FIRST = float("inf")  # AccumulateGrad's priority: run as soon as ready


class BackwardStep:
    """What one node did during backward.

    - ``node``: the ``grad_fn`` (or ``AccumulateGrad``) that ran;
    - ``incoming``: the gradient that arrived at it (summed over every use of its output);
    - ``outgoing``: what it sent along each of its ``next_functions`` (``None`` where nothing goes);
    - for ``AccumulateGrad`` only: ``leaf``, and ``grad_before`` / ``grad_after``, the leaf's
      ``.grad`` before and after this step (``grad_before`` is ``None`` the first time).
    """

    __slots__ = ("index", "node", "incoming", "outgoing", "leaf", "grad_before", "grad_after")

    def __init__(self, index, node, incoming, outgoing, leaf=None, grad_before=None, grad_after=None):
        self.index = index
        self.node = node
        self.incoming = incoming
        self.outgoing = outgoing
        self.leaf = leaf
        self.grad_before = grad_before
        self.grad_after = grad_after

    def __repr__(self):
        return f"BackwardStep({self.index}, {self.node.name()})"


def backward_steps(roots, gradients=None, retain_graph=False, create_graph=False, accumulate=True):
    """Run backward from ``roots`` node by node, yielding a ``BackwardStep`` after each.

    ``gradients``: one per root (``None`` means 1 for a scalar root). ``accumulate=False`` runs
    every node for real but leaves ``.grad`` untouched (a dry run: the widgets use it so that
    watching changes nothing). If anything fails, every ``.grad`` the run wrote is put back.
    """
    return _run(roots, gradients, retain_graph, create_graph, None, accumulate)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradient of ``tensors`` and add it to every leaf's ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        grads = _grad_for(tensors, grad_tensors, inputs, retain_graph, create_graph, True)
        for t, g in zip(inputs, grads):
            if g is not None:
                _store(t, g, create_graph)
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
    captures = {_input_node(t): None for t in inputs}
    for _ in _run(outputs, grad_outputs, retain_graph, create_graph, captures, False):
        pass
    result = []
    for i, t in enumerate(inputs):
        g = captures[_input_node(t)]
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                               "used in the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(g)
    return tuple(result)


def _run(roots, gradients, retain_graph, create_graph, captures, accumulate):
    """The engine loop behind ``backward_steps``, ``backward`` and ``grad``.

    ``captures`` (for ``grad``): a dict whose keys are the nodes of the wanted inputs; their
    gradients are stored there instead of in ``.grad``, and no other leaf is touched.
    """
    roots = _as_tuple(roots)
    gradients = _as_tuple(gradients, len(roots))
    if len(gradients) != len(roots):
        raise RuntimeError(f"got {len(gradients)} gradients for {len(roots)} tensors")
    buffers = {}
    for i, (root, g) in enumerate(zip(roots, gradients)):
        node = _root_node(root, i)
        g = _root_gradient(root, g, i)
        buffers[node] = buffers[node] + g if node in buffers else g
    dependencies = _count_dependencies(list(buffers), captures)
    ready = [(-_priority(n), n._sequence_nr, n) for n in buffers if dependencies.get(n) == 0]
    heapq.heapify(ready)
    undo = []  # (leaf, .grad before, its values before) to restore on failure
    index = 0
    previous_mode = _STATE.enabled
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grad = buffers.pop(node)
            _STATE.enabled = create_graph
            grad = _run_pre_hooks(node, grad)
            if isinstance(node, AccumulateGrad):
                if captures is not None:
                    if node in captures:
                        captures[node] = grad
                    _STATE.enabled = previous_mode
                    continue
                step = _accumulate(index, node, grad, accumulate, create_graph, undo)
            else:
                if captures is not None and node in captures:
                    captures[node] = grad
                    if not _reaches_more(node, dependencies):
                        _STATE.enabled = previous_mode
                        continue
                outgoing = _call_backward(node, grad)
                for (child, _), g in zip(node.next_functions, outgoing):
                    if child is None or g is None or child not in dependencies:
                        continue
                    buffers[child] = buffers[child] + g if child in buffers else g
                    dependencies[child] -= 1
                    if dependencies[child] == 0:
                        heapq.heappush(ready, (-_priority(child), child._sequence_nr, child))
                if node._post_hooks:
                    for hook in node._post_hooks:
                        hook(tuple(outgoing), (grad,))
                if not retain_graph:
                    node._release()
                step = BackwardStep(index, node, grad, outgoing)
            _STATE.enabled = previous_mode
            index += 1
            yield step
    except BaseException as error:
        _STATE.enabled = previous_mode
        if not isinstance(error, GeneratorExit):
            for leaf, before, values in reversed(undo):
                if values is not None:
                    before.data[...] = values
                leaf._grad = before
        raise


# -- the pieces -----------------------------------------------------------------------------------
def _as_tuple(x, n=None):
    if x is None:
        return (None,) * (n or 1)
    if isinstance(x, (Tensor, float, int)):
        return (x,)
    return tuple(x)


def _root_node(root, i):
    if not root.requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return root.grad_fn if root.grad_fn is not None else root._accumulator()


def _root_gradient(root, g, i):
    if g is None:
        if root.data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return Tensor._make(np.ones_like(root.data), False, None)
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g, dtype=root.data.dtype), False, None)
    if g.data.shape != root.data.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g.data.shape)!r} "
                           f"and output[{i}] has a shape of {Size(root.data.shape)!r}.")
    return g


def _priority(node):
    return _FIRST if isinstance(node, AccumulateGrad) else node._sequence_nr


def _count_dependencies(starts, captures):
    """How many edges point at each node reachable from ``starts`` (iterative: no recursion limit).

    With ``captures`` (``grad()``), nodes that cannot reach a wanted input are left out.
    """
    order, seen, stack = [], set(starts), list(starts)
    while stack:
        node = stack.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    if captures is not None:
        useful = _nodes_reaching(order, captures)
        order = [n for n in order if n in useful]
    else:
        useful = seen
    dependencies = dict.fromkeys(order, 0)
    for node in order:
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
        if node in useful:
            continue
        useful.add(node)
        stack.extend(parents.get(node, ()))
    return useful


def _reaches_more(node, dependencies):
    return any(child is not None and child in dependencies for child, _ in node.next_functions)


def _input_node(t):
    return t.grad_fn if t.grad_fn is not None else t._accumulator()


def _run_pre_hooks(node, grad):
    if node._pre_hooks:
        for hook in node._pre_hooks:
            result = hook(grad)
            if result is not None:
                grad = result
    if node._retained is not None:
        tensor = node._retained()
        if tensor is not None:
            _store(tensor, grad, _STATE.enabled)
    return grad


def _call_backward(node, grad):
    """Run one node's backward and line its results up with ``next_functions``."""
    grads = node.backward(node, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if node._positions is not None:
        expected = len(node.needs_input_grad)
        if len(grads) != expected:
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(grads)})")
        grads = tuple(grads[i] for i in node._positions)
    elif len(grads) != len(node.next_functions):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.next_functions)}, got {len(grads)})")
    if not node.builtin:
        grads = tuple(_check_gradient(node, i, child, g)
                      for i, ((child, _), g) in enumerate(zip(node.next_functions, grads)))
    return grads


def _check_gradient(node, i, child, g):
    if g is None or child is None:
        return None
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g), False, None)
    expected = child._output_meta[0]
    if g.data.shape != expected:
        if g.data.size == int(np.prod(expected)):
            return g.reshape(expected)
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                           f"{list(g.data.shape)} but expected shape compatible with {list(expected)}")
    return g


def _accumulate(index, node, grad, accumulate, create_graph, undo):
    """``AccumulateGrad``: leaf.grad = grad the first time, leaf.grad += grad afterwards."""
    leaf = node.variable
    before = leaf._grad
    if before is None:
        after = grad if create_graph else Tensor._make(np.array(grad.data, dtype=leaf.data.dtype), False, None)
        shown_before = None
    elif create_graph or before.requires_grad:
        after = before + grad
        shown_before = before
    else:
        shown_before = Tensor._make(before.data.copy(), False, None)
        if accumulate:
            undo.append((leaf, before, shown_before.data))
            before.data += grad.data
            after = before
        else:
            after = Tensor._make(before.data + grad.data, False, None)
    if accumulate:
        if before is None or after is not before:
            undo.append((leaf, before, None))
        leaf._grad = after
        shown_after = Tensor._make(after.data.copy(), False, None) if after is before else after
    else:
        shown_after = after
    return BackwardStep(index, node, grad, (), leaf, shown_before, shown_after)


def _store(tensor, g, create_graph):
    """Add ``g`` to ``tensor.grad`` (used by ``retain_grad`` and ``backward(inputs=...)``)."""
    if tensor._grad is None:
        tensor._grad = g if create_graph else Tensor._make(g.data.copy(), False, None)
    else:
        tensor._grad = tensor._grad + g
