"""The backward pass, one node at a time.

``_backward_pass`` below is the whole algorithm, on one screen; everything after it is a helper
found by its name (starting, the ready queue, hooks, ``grad()``'s captures, user ``Function``
checks, accumulating into ``.grad``, rolling back on failure). ``backward_steps`` runs it and
hands out a ``BackwardStep`` after every node; ``backward`` and ``grad`` run the very same pass
without making the records (nobody reads them), so a widget that replays the steps shows exactly
what ``loss.backward()`` does.

The order: a node runs once every node that sends it a gradient has run, so a tensor used twice
(``a + a``) has both contributions summed first. Among the nodes that are ready, the one created
last runs first, and ``AccumulateGrad`` (writing a leaf's ``.grad``) runs as soon as it is ready;
that is PyTorch's rule too, and it makes the order deterministic.

Gradients travel as plain numpy arrays, because nothing about them needs recording, except with
``create_graph=True``: then they are tensors and every backward formula is itself recorded (see
``ops/array_or_tensor.py``: one formula, two kinds of values).
"""

from __future__ import annotations

import heapq
import sys
import warnings
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from . import anomaly_mode, grad_mode
from .function import AccumulateGrad, _NodePreHook, _OutputHook
from .._dtype import from_numpy
from .._quiet import quiet_numpy
from ..tensor import Size, Tensor

if TYPE_CHECKING:  # names for the type hints only
    from collections.abc import Iterator, Sequence

    Gradients = Tensor | Sequence[Tensor | None] | None

_STATE = grad_mode.STATE
_ANOMALY = anomaly_mode.STATE


def _backward_pass(roots, gradients, run):
    """The backward algorithm. ``run`` (a ``_Pass``) holds the pass's settings.

    1. each root's node receives the root's starting gradient (1 for a scalar loss);
    2. count how many edges bring each node a gradient: it must wait for all of them;
    3. take the ready node that was created last, with the sum of every gradient that arrived;
    4. apply its backward (incoming gradient x local derivative, per input) and send each result
       along its edge, where it is added to whatever that input has received so far;
    5. at a leaf, ``AccumulateGrad`` adds the gradient to ``.grad``.
    """
    arrived = _starting_gradients(roots, gradients, run)  # node -> gradient summed so far
    waiting = _count_dependencies(list(arrived), run.captures)  # node -> edges still to arrive
    ready = _ReadyQueue([node for node in arrived if waiting.get(node) == 0])
    captures, steps, index = run.captures, run.steps, 0
    # a failed pass leaves every .grad as it was; create_graph: what backward computes is recorded
    with _OnFailure(run), run.recording:
        while ready:
            node = run.current = ready.pop()
            grad = arrived.pop(node, None)
            if grad is None:  # every path here sent nothing: nothing to compute, pass the turn on
                _send(node, (None,) * len(node.next_functions), arrived, waiting, ready)
                continue
            grad = _in_its_dtype(node, grad)  # PyTorch: a gradient in its tensor's own dtype
            stop = captures is not None and _grad_stops_at(node, run, waiting)
            if node._pre_hooks is not None or node._retained is not None:  # hooks, retain_grad
                grad = _run_pre_hooks(node, grad, run, node_hooks=not stop)
            if captures is not None and node in captures:
                captures[node] = grad  # grad(): the gradient of a wanted input
            if stop:
                continue  # grad(): nothing past this node is needed
            if node.__class__ is AccumulateGrad:
                step = _accumulate(index, node, grad, run)
                if node._post_hooks is not None or node._post_accumulate_hooks:
                    _run_accumulate_hooks(node, grad, run)
            else:
                outgoing = _apply_backward(node, grad, run)
                _send(node, outgoing, arrived, waiting, ready)
                step = BackwardStep(index, node, grad, outgoing) if steps else None
            if steps:  # backward_steps(): the caller looks at each step (in its grad mode)
                index += 1
                yield from run.recording.hand_out(step)
            step = outgoing = None  # hold no gradient longer than its step does (see _unshared)


def backward_steps(
    roots: Tensor | Sequence[Tensor],
    gradients: Gradients = None,
    retain_graph: bool = False,
    create_graph: bool = False,
    accumulate: bool = True,
) -> Iterator[BackwardStep]:
    """Run backward from ``roots`` node by node, yielding a ``BackwardStep`` after each.

    ``gradients``: one per root (``None`` means 1 for a scalar root). ``accumulate=False`` runs
    every node for real but writes no ``.grad`` (leaves' nor ``retain_grad()`` tensors'): a dry
    run, which the widgets use so that watching changes nothing (tensor hooks still run, as they
    may change the gradients). If anything fails, every ``.grad`` the run wrote is put back.
    """
    return _quiet_steps(
        _backward_pass(roots, gradients, _Pass(retain_graph, create_graph, accumulate))
    )


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Gradients = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Compute the gradient of ``tensors`` and add it to every leaf's ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        _warn_once(_CREATE_GRAPH_WARNING)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:  # a non-leaf input gets its .grad the retain_grad() way, as in PyTorch
            if t.grad_fn is not None:
                t.retain_grad()
        grads = _grad_for(tensors, grad_tensors, inputs, retain_graph, create_graph, True)
        for t, g in zip(inputs, grads):
            if g is not None and t.grad_fn is None:
                _store(t, g)
        return
    # drained without keeping any step: a .grad may then take a gradient nobody else holds
    with _quiet_numpy():
        deque(
            _backward_pass(tensors, grad_tensors, _Pass(retain_graph, create_graph, drained=True)),
            maxlen=0,
        )


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Gradients = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) (a vector-Jacobian product) without touching any ``.grad``.
    ``materialize_grads=True``: zeros instead of None for an input the outputs do not use."""
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True needs vmap, which minigrad does not have")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    roots = _as_tuple(outputs)
    # PyTorch checks the gradients first (shape, implicit 1), then the outputs, then the inputs
    for i, (root, g) in enumerate(zip(roots, _as_tuple(grad_outputs, len(roots)))):
        if isinstance(root, Tensor) and (g is not None or root.requires_grad):
            _root_gradient(root, g, i, True)
    for i, root in enumerate(roots):
        if isinstance(root, Tensor):
            _root_node(root, i)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _grad_for(
        outputs,
        grad_outputs,
        inputs,
        retain_graph,
        create_graph,
        bool(allow_unused or materialize_grads),
    )
    if materialize_grads:
        grads = tuple(
            Tensor._make(np.zeros_like(t._array), create_graph, None) if g is None else g
            for g, t in zip(grads, inputs)
        )
    return grads


def _grad_for(outputs, grad_outputs, inputs, retain_graph, create_graph, allow_unused):
    captures = {t._gradient_node(): None for t in inputs}
    run = _Pass(retain_graph, create_graph, accumulate=False, captures=captures, drained=True)
    with _quiet_numpy():
        deque(_backward_pass(outputs, grad_outputs, run), maxlen=0)
    result = []
    for i, t in enumerate(inputs):
        g = captures[t._gradient_node()]
        if g.__class__ is list:  # t is one output of a node with several
            g = g[t.output_nr]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been "
                "used in the graph. Set allow_unused=True if this is the desired behavior."
            )
        if isinstance(g, Tensor) and g._array.dtype != t._array.dtype:
            g = g.to(t.dtype)  # the input's dtype, recorded (ToCopyBackward0) as in PyTorch
        result.append(None if g is None else g if isinstance(g, Tensor) else _fresh(g, t))
    return tuple(result)


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


# -- numpy's floating-point warnings ----------------------------------------------------------------
def _quiet_numpy():
    """A gradient may be inf or nan (sqrt at 0, log at 0, 0/0): PyTorch computes it silently,
    and so does minigrad, instead of numpy's RuntimeWarnings (anomaly mode finds the NaNs)."""
    return quiet_numpy()


def _quiet_steps(steps):
    """``backward_steps`` with numpy quiet while each step computes, and as usual between steps
    (the caller's own code runs there)."""
    while True:
        with _quiet_numpy():
            step = next(steps, None)
        if step is None:
            return
        yield step


# -- the settings of one pass -------------------------------------------------------------------
class _Pass:
    """How one backward pass runs: the switches of ``backward``, ``grad`` and ``backward_steps``.

    - ``retain_graph``: keep every node's saved values (else each node frees them once it ran);
    - ``create_graph``: record the backward's own arithmetic (gradients of gradients). Gradients
      then travel as tensors; otherwise as numpy arrays (``raw``);
    - ``accumulate``: write ``.grad`` (``False``: a dry run, as the widgets do, or ``grad()``);
    - ``captures``: for ``grad()``, the nodes of the wanted inputs -> their gradients;
    - ``retains``: ``retain_grad()`` tensors get their ``.grad`` (not in a dry run);
    - ``steps``: hand out a ``BackwardStep`` per node (``backward_steps``). ``backward()`` and
      ``grad()`` drain the pass without looking (``drained=True``): no steps are made, and a
      leaf's first ``.grad`` may be the incoming array itself when nothing else holds it
      (``steal``, see ``_accumulate``);
    - ``undo``: what the pass wrote to ``.grad``, so that a failure can put it back.
    """

    __slots__ = (
        "retain_graph",
        "create_graph",
        "raw",
        "accumulate",
        "captures",
        "retains",
        "steal",
        "steps",
        "undo",
        "recording",
        "current",
    )

    def __init__(
        self, retain_graph=False, create_graph=False, accumulate=True, captures=None, drained=False
    ):
        self.retain_graph, self.create_graph = retain_graph, create_graph
        self.raw = not create_graph
        self.accumulate, self.captures = accumulate, captures
        self.retains = accumulate or captures is not None
        self.steal = drained and accumulate
        self.steps = not drained
        self.undo = []  # (tensor, its .grad before, its values before or None)
        self.recording = _Recording() if create_graph else _NOT_RECORDING
        self.current = None  # the node running (named by anomaly mode if it fails)


class _Recording:
    """With create_graph=True, grad mode is on while the pass runs, whatever the caller's mode,
    and back to the caller's mode whenever a step is handed out."""

    __slots__ = ("previous",)

    def __enter__(self):
        self.previous, _STATE.enabled = _STATE.enabled, True

    def __exit__(self, *error):
        _STATE.enabled = self.previous

    def hand_out(self, step):
        _STATE.enabled = self.previous  # the caller's code runs while it holds the step
        try:
            yield step
        finally:
            _STATE.enabled = True


class _NotRecording:
    """A plain backward: grad mode stays as the caller set it (nothing is recorded anyway)."""

    __slots__ = ()

    def __enter__(self):
        pass

    def __exit__(self, *error):
        pass

    def hand_out(self, step):
        yield step


_NOT_RECORDING = _NotRecording()


class _OnFailure:
    """If the pass fails: in anomaly mode, first the warning naming the forward line that made
    the failing node; then every ``.grad`` the pass wrote is put back (and the values it added
    to in place). A pass stopped early on purpose (the generator closed) keeps what it did."""

    __slots__ = ("run",)

    def __init__(self, run):
        self.run = run

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and not issubclass(kind, GeneratorExit):
            if _ANOMALY.enabled and self.run.current is not None:
                anomaly_mode.report(self.run.current)
            for tensor, before, values in reversed(self.run.undo):
                if values is not None:
                    before._array[...] = values
                tensor._grad = before
        return False


# -- the queue and the buffers -------------------------------------------------------------------
class _ReadyQueue(list):
    """The nodes whose gradients have all arrived. The one created last comes out first, and
    ``AccumulateGrad`` before everything (PyTorch's order; creation numbers are unique, so the
    order is deterministic and the heap never compares nodes). A heap of (order, node); ``_send``
    pushes onto it with ``heapq.heappush`` directly (a method call per edge costs more)."""

    def __init__(self, nodes):
        super().__init__([(node._queue_key, node) for node in nodes])
        if len(self) > 1:
            heapq.heapify(self)

    def pop(self):
        return heapq.heappop(self)[1]


def _in_its_dtype(node, grad):
    """The gradient for ``node``'s output in that output's dtype, as PyTorch's engine casts each
    gradient to its input's dtype before the node runs (a float64 product's gradient reaches a
    float32 tensor, its hooks and its node in float32); recorded (ToCopyBackward0) on tensors.
    (``is`` first: numpy's dtypes are shared objects, and the usual case costs no comparison.)"""
    wanted = node._output_dtype  # None for a node with several outputs
    if wanted is None:
        return grad
    have = grad._array.dtype if grad.__class__ is Tensor else grad.dtype  # array or numpy scalar
    if have is wanted or have == wanted:
        return grad
    return grad.to(from_numpy(wanted)) if grad.__class__ is Tensor else np.asarray(grad, wanted)


def _send(node, outgoing, arrived, waiting, ready):
    """Add each outgoing gradient to what its child has received; a child whose every edge has
    now delivered (``None`` counts: that path just sends nothing) joins the ready queue."""
    for (child, nr), g in zip(node.next_functions, outgoing):
        still = waiting.get(child)  # edges still to deliver; None: no child, or grad() skips it
        if still is None:
            continue
        if g is not None:
            if child._n_outputs == 1:  # _deposit(), inlined for the common case
                arrived[child] = _add(arrived.pop(child), g) if child in arrived else g
            else:
                _deposit(arrived, child, nr, g)
        waiting[child] = still - 1
        if still == 1:
            heapq.heappush(ready, (child._queue_key, child))  # joins _ReadyQueue's heap


def _deposit(buffers, node, nr, g):
    """Add ``g`` to the gradient waiting for output ``nr`` of ``node`` (a node with several
    outputs waits with a list: one slot per output, None until something arrives)."""
    if node._n_outputs == 1:
        buffers[node] = _add(buffers.pop(node), g) if node in buffers else g
        return
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node._n_outputs
    slots[nr] = g if slots[nr] is None else slots[nr] + g


def _add(total, g):
    """``total + g``, written into ``total`` when the engine owns it (a sum of its own, or an
    array no one else holds), else a new array."""
    if (
        total.__class__ is np.ndarray
        and g.__class__ is np.ndarray
        and total.shape == g.shape
        and total.dtype == g.dtype
        and _unshared(total, 1)
    ):
        return np.add(total, g, out=total)
    return total + g


_refcount = getattr(sys, "getrefcount", None)  # CPython's; elsewhere nothing is reused


def _own_references():
    """How many references ``_refcount(x)`` itself adds to those of its caller (its argument):
    measured, not assumed, since that differs between Python versions."""
    array = np.empty(1)  # one holder: this variable
    return _refcount(array) - 1


_OWN = _own_references() if _refcount is not None else None


def _unshared(array, holders):
    """Is the engine the only holder of ``array`` (``holders`` references, counted by the
    caller) and of its memory? Then the engine may keep it (as a leaf's ``.grad``) or add into it
    instead of copying: no tensor, hook, saved value, kept step or user variable can see it.

    Its memory must be its own, or it must be a whole view (a transpose, say) of an array that
    nothing but this view refers to. Arrays a user gave (``y.backward(g)``) or a hook returned
    and kept are referenced elsewhere, so they are copied, as PyTorch copies them."""
    if (
        _refcount is None
        or array.__class__ is not np.ndarray
        or not array.flags.writeable
        or _refcount(array) != holders + 1 + _OWN
    ):  # 1: this function's argument
        return False
    base = array.base
    if base is None:
        return True
    return (
        base.__class__ is np.ndarray
        and base.base is None  # 2: the view's .base, `base`
        and _refcount(base) == 2 + _OWN
        and base.size == array.size
        and (array.flags.c_contiguous or array.flags.f_contiguous)
    )


# -- starting ------------------------------------------------------------------------------------
def _as_tuple(x, n=None):
    if x is None:
        return (None,) * (n or 1)
    if isinstance(x, (Tensor, float, int)):
        return (x,)
    return tuple(x)


def _starting_gradients(roots, gradients, run):
    """Each root's node with the gradient backward starts from (a node may be the root twice)."""
    if roots.__class__ is Tensor and gradients is None and roots._base is None:
        node = roots._grad_fn  # the usual loss.backward(): one root, made by a one-output node
        if node is not None and node._n_outputs == 1:
            return {node: _root_gradient(roots, None, 0, run.raw)}
    roots = (roots,) if isinstance(roots, Tensor) else tuple(roots)
    gradients = _as_tuple(gradients, len(roots))
    if len(gradients) < len(roots):  # extra gradients are left unused, as in PyTorch
        raise RuntimeError(f"got {len(roots)} tensors and {len(gradients)} gradients")
    # PyTorch checks every gradient (shape, implicit 1) before it looks at the roots' graphs
    starts = [
        None if g is None and not root.requires_grad else _root_gradient(root, g, i, run.raw)
        for i, (root, g) in enumerate(zip(roots, gradients))
    ]
    arrived = {}
    for i, (root, g) in enumerate(zip(roots, starts)):
        _deposit(arrived, _root_node(root, i), root.output_nr, g)
    return arrived


def _root_node(root, i):
    if not root.requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn"
        )
    return root._gradient_node()


def _root_gradient(root, g, i, raw):
    """The gradient backward starts from: ``g``, or 1 for a scalar root (as an array when raw)."""
    if g is None:
        if root._array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        g = np.array(1, root._array.dtype)  # np.ones, in C calls only
        if root._array.ndim:
            g = g.reshape(root._array.shape)
        return g if raw else Tensor._make(g, False, None)  # the root's shape by construction
    if not isinstance(g, Tensor):
        g = np.asarray(g, dtype=root._array.dtype)
    shape = g._array.shape if isinstance(g, Tensor) else g.shape
    if shape != root._array.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {Size(shape)!r} "
            f"and output[{i}] has a shape of {Size(root._array.shape)!r}."
        )
    if isinstance(g, Tensor):
        return g._array if raw else g
    return g if raw else Tensor._make(g, False, None)


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


def _grad_stops_at(node, run, waiting):
    """``grad()`` goes no further than a leaf (it writes no ``.grad``) or a wanted input with
    nothing needed past it. Such a node does not run, so only tensor hooks see its gradient, not
    the node's own hooks (as in PyTorch)."""
    return node.__class__ is AccumulateGrad or (
        node in run.captures and not _reaches(node, waiting)
    )


def _reaches(node, waiting):
    """Does running ``node`` lead anywhere still needed? (``grad`` skips nodes past its inputs.)"""
    return any(child is not None and child in waiting for child, _ in node.next_functions)


# -- running one node ----------------------------------------------------------------------------
def _apply_backward(node, grad, run):
    """The node's backward: the gradient for each of its inputs, in ``next_functions`` order."""
    if node.builtin:  # trusted to return one gradient per argument
        outgoing = node.backward(node, grad)  # arrays, or tensors under create_graph
        if outgoing.__class__ is not tuple:
            outgoing = (outgoing,)
        if node._positions is not None:  # some arguments were options, not inputs
            outgoing = tuple([outgoing[i] for i in node._positions])
        if not run.raw:
            _check_recorded(node, outgoing)
    else:
        outgoing = _call_user_backward(node, grad, run.raw)
    if node._post_hooks is not None:
        outgoing = _run_post_hooks(node, outgoing, grad, run.raw)
    if _ANOMALY.enabled:
        anomaly_mode.check_gradients(node, outgoing)  # NaN: PyTorch's error, naming the node
    if not run.retain_graph and node._saved:
        node._release()
    return outgoing


def _check_recorded(node, outgoing):
    """Under create_graph a built-in backward must compute on tensors: a numpy call inside it
    would silently cut the graph of the gradient (see ``ops/array_or_tensor.py``)."""
    for g in outgoing:
        if g is not None and not isinstance(g, Tensor):
            raise RuntimeError(
                f"{node.name()}'s backward returned a numpy array under create_graph=True, so the "
                "gradient's own graph would be lost: write its formula with operators and the "
                "helpers of minigrad/ops/array_or_tensor.py, which work on tensors too"
            )


def _run_pre_hooks(node, grad, run, node_hooks=True):
    """What runs before a node, in PyTorch's order: tensor hooks (``register_hook``, which may
    replace the gradient, checked as PyTorch checks it), then ``retain_grad`` keeps a copy (not in
    a dry run: hooks still run there, since they can change what backward computes), then the
    node's own pre-hooks (``register_prehook``). A node with several outputs has one gradient per
    output, and a tensor's hook sees its own."""
    raw = run.raw
    several = node._n_outputs != 1
    grads = list(grad) if several else [grad]
    hooks = node._pre_hooks or ()
    with grad_mode.set_grad_enabled(not raw):
        for hook in hooks:
            if not isinstance(hook, _NodePreHook):
                nr = hook.nr if isinstance(hook, _OutputHook) else 0
                if grads[nr] is not None:
                    grads[nr] = _hook_result(hook, hook(_as_tensor(grads[nr])), grads[nr], raw)
        if run.retains and node._retained is not None:
            _keep_retained(node, grads, several, run.undo)
        if node_hooks:
            for hook in hooks:
                if isinstance(hook, _NodePreHook):
                    grads = _node_pre_hook(hook, grads, raw)
    return grads if several else grads[0]


def _keep_retained(node, grads, several, undo):
    retained = node._retained if several else {0: node._retained}
    for nr, ref in retained.items():
        tensor = ref()
        if tensor is not None and grads[nr] is not None:
            _store(tensor, _as_tensor(grads[nr]), undo)


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
            outgoing = tuple(
                [
                    r if g is None or r is None else _hook_result(hook, r, g, raw)
                    for r, g in zip(result, outgoing)
                ]
            )
            outgoing = tuple([r._array if raw and isinstance(r, Tensor) else r for r in outgoing])
    return outgoing


def _run_accumulate_hooks(node, grad, run):
    """After a leaf's ``.grad`` was written: ``register_post_accumulate_grad_hook`` hooks get the
    leaf, then the node's own post-hooks get ``((), (grad,))``; neither may return a value."""
    if not run.accumulate:
        return
    for hook in node._post_accumulate_hooks:
        result = hook(node.variable)
        if result is not None:
            raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    grad_outputs = (_as_tensor(grad),)
    for hook in node._post_hooks or ():
        result = hook((), grad_outputs)
        if result is not None:
            _hook_values(hook, result, 0)


def _hook_values(hook, result, expected):
    result = (result,) if isinstance(result, Tensor) else tuple(result)
    if len(result) != expected:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
            f"(got {len(result)}, but expected {expected})"
        )
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
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"torch.{_legacy_name(old_array)} got torch.{_legacy_name(result._array)})"
        )
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
    grads = _user_gradients(node, grads)
    return tuple(
        [
            _check_gradient(node, i, child, nr, g, raw)
            for i, ((child, nr), g) in enumerate(zip(node.next_functions, grads))
        ]
    )


def _user_gradients(node, grads):
    """A custom backward's results, one per edge: one per forward argument (extra trailing
    Nones are fine, as in PyTorch); an argument that was not a tensor must get None."""
    if not isinstance(grads, tuple):
        grads = (grads,)
    expected = len(node.needs_input_grad)
    if len(grads) > expected and all(g is None for g in grads[expected:]):
        grads = grads[:expected]
    if len(grads) != expected:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {expected}, got {len(grads)})"
        )
    if node._positions is None:
        return grads
    edges = set(node._positions)
    for i, g in enumerate(grads):
        if g is not None and i not in edges:
            raise RuntimeError(
                f"function {node.name()} returned a gradient different than None at "
                f"position {i + 1}, but the corresponding forward input was not a "
                "Variable"
            )
    return tuple([grads[i] for i in node._positions])


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
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - "
                f"got {list(g._array.shape)} but expected shape compatible with {list(expected)}"
            )
        g = g.sum_to_size(expected)
    return g._array if raw else g


def _accumulate(index, node, grad, run):
    """``AccumulateGrad``: leaf.grad = grad the first time, leaf.grad += grad afterwards (in place,
    as PyTorch does). The step records copies, so later calls cannot change what it shows; when
    nobody keeps the steps (``run.steal``) the first .grad is the incoming array itself if nothing
    else holds it, as PyTorch steals it, instead of a copy."""
    raw, accumulate, undo = run.raw, run.accumulate, run.undo
    leaf = node.variable
    before = leaf._grad
    if before is None:
        shown_before = None
        if raw:  # the array itself when nothing else holds it (as PyTorch steals it), else a copy
            # 2 holders of grad: this function and _backward_pass
            kept = run.steal and _unshared(grad, 2) and grad.dtype == leaf._array.dtype
            after = Tensor._make(
                grad if kept else np.array(grad, dtype=leaf._array.dtype), False, None
            )
            shown_after = grad
        else:
            after = shown_after = (
                _copy_with_history(grad, leaf) if grad.requires_grad else _fresh(grad, leaf)
            )
    elif (
        not raw or before.requires_grad
    ):  # gradients with a graph: keep the graph, add out of place
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
    if not run.steps:
        return None
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
    return Tensor._make(
        np.array(value._array if isinstance(value, Tensor) else value, dtype=like._array.dtype),
        False,
        None,
    )


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
    with grad_mode.enable_grad():
        return Tensor._make(np.zeros_like(leaf._array), False, None).copy_(g)


_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
)
_warned = set()  # warnings PyTorch gives once per process


def _warn_once(message):
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=4)
