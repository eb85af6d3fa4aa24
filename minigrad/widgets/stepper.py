"""``BackwardStepper``: replay the real backward pass one node at a time.

The model (``StepperModel``) runs the engine's own generator, ``backward_steps``, once at
construction as a dry run (``accumulate=False, retain_graph=True``): every node really runs, but no
``.grad`` is written and the graph stays usable. Stepping then only moves an index through the
recorded ``BackwardStep``s, so what the widget shows is exactly what ``loss.backward()`` computes,
and watching it changes nothing.
"""
from ..autograd import backward_steps
from ..autograd.function import AccumulateGrad
from . import _common
from ._common import Namer, compact, copy_of, graph_nodes, root_node


class GraphMarks:
    """What the picture should highlight at one moment (engine node objects; no viz needed)."""

    __slots__ = ("active", "done", "pending", "edge_labels", "caption")

    def __init__(self, active=None, done=(), pending=(), edge_labels=None, caption=""):
        self.active, self.done, self.pending = active, list(done), list(pending)
        self.edge_labels = dict(edge_labels or {})
        self.caption = caption


class StepperModel(_common.Cursor):
    """The state and logic of ``BackwardStepper`` (plain Python, testable without a browser).

    ``index`` is -1 before the first step, then 0..len(steps)-1 (the step just run).
    """

    def __init__(self, root, gradient=None, names=None, namespace=None):
        self.root, self.gradient = root, gradient
        self.steps, self.error = [], None
        self.index = -1
        start = root_node(root) if isinstance(root, _common.Tensor) else None
        self.nodes = graph_nodes([start]) if start is not None else []
        self.namer = Namer(self.nodes, names, namespace)
        self.leaves = [n for n in self.nodes if n.__class__ is AccumulateGrad]
        self._initial = {n: copy_of(n.variable._grad) for n in self.leaves}
        self._trace()
        self._acc_index = {s.node: s.index for s in self.steps if s.node.__class__ is AccumulateGrad}

    def _trace(self):
        """Run the dry backward once and keep every step (or the error that stopped it)."""
        if not isinstance(self.root, _common.Tensor):
            self.error = f"BackwardStepper needs a tensor to start from, got {type(self.root).__name__}."
            return
        try:  # a dry run: no .grad is written
            for step in backward_steps(self.root, self.gradient, retain_graph=True, accumulate=False):
                self.steps.append(step)
        except Exception as error:  # shown in the widget, never raised into the notebook
            self.error = _common.error_text(error)

    @property
    def at_end(self):
        return self.index == len(self.steps) - 1

    @property
    def current(self):
        return self.steps[self.index] if self.index >= 0 else None

    @property
    def hint(self):
        return _common.hint_for(self.error) if self.error else ""

    # -- what is shown -------------------------------------------------------------------------
    def label(self, node):
        return self.namer.label(node)

    def leaf_grads(self, index=None):
        """{leaf name: its .grad as backward would have left it after step ``index``} (tensors or
        None). Before a leaf's AccumulateGrad step this is the .grad it has now."""
        index = self.index if index is None else index
        result = {}
        for node in self.leaves:
            name = self.namer.leaf_name[node]
            k = self._acc_index.get(node)
            if k is not None and k <= index:
                result[name] = self.steps[k].grad_after
            else:
                initial = self._initial[node]
                result[name] = None if initial is None else _common.Tensor._make(initial.copy(), False, None)
        return result

    def sends(self, step):
        """``[(target node, its label, gradient tensor or None)]`` for the step's outgoing edges."""
        out = []
        for (child, _), g in zip(step.node.next_functions, step.outgoing):
            if child is not None:
                out.append((child, self.label(child), g))
        return out

    def marks(self, index=None):
        """Active / done / pending nodes and labels of the edges gradients have crossed so far."""
        index = self.index if index is None else index
        done = [s.node for s in self.steps[:max(index, 0)]]
        active = self.steps[index].node if index >= 0 else None
        ran = set(done)
        if active is not None:
            ran.add(active)
        pending, labels = [], {}
        if index < 0 and self.steps:
            pending.append(self.steps[0].node)  # the root's node: the first gradient waits there
        for s in self.steps[:index + 1]:
            for (child, _), g in zip(s.node.next_functions, s.outgoing):
                if child is None or g is None:
                    continue
                labels[(s.node, child)] = compact(g)
                if child not in ran and child not in pending:
                    pending.append(child)
        return GraphMarks(active, done, pending, labels, self.caption(index))

    def caption(self, index=None):
        index = self.index if index is None else index
        n = len(self.steps)
        if self.error and not self.steps:
            return "backward cannot start"
        if index < 0:
            return f"before backward: {n} steps to go"
        return f"step {index + 1} of {n}: {self.label(self.steps[index].node)}"

    def text(self):
        """A deterministic plain-text account of the current state (the widget's text/plain)."""
        lines = [f"BackwardStepper: {self.caption()}"]
        if self.error:
            lines.append(f"  error (shown in the widget): {self.error}")
        step = self.current
        if step is not None:
            lines.append(f"  node: {step.node.name()}    {step.node.formula}".rstrip())
            lines.append(f"  incoming gradient: {compact(step.incoming, 6)}")
            if step.leaf is not None:
                lines.append(f"  {self.label(step.node)}.grad: "
                             f"{compact(step.grad_before, 6) or 'None'} -> {compact(step.grad_after, 6)}")
            for _, label, g in self.sends(step):
                lines.append(f"  sends to {label}: {compact(g, 6) if g is not None else 'nothing'}")
        grads = self.leaf_grads()
        if grads:
            lines.append("  .grad: " + ", ".join(f"{k}={compact(v, 3) if v is not None else 'None'}"
                                                for k, v in grads.items()))
        return "\n".join(lines)


class BackwardStepper(_common.SteppingFront):
    """Step through the real backward pass of ``root``, node by node.

    The stepper shows what ``root.backward(gradient)`` *would* accumulate; creating it or stepping
    it never changes any tensor's ``.grad`` (it replays a dry run of the engine, made once with
    ``accumulate=False, retain_graph=True``). Call ``loss.backward()`` to really do it. The steps
    are a snapshot taken at construction; hooks registered with ``register_hook`` run once then.

    - ``gradient``: the vector v for a non-scalar root (as in ``root.backward(gradient)``);
    - ``names``: ``{"w": w, "model": model, ...}`` to label tensors; when ``None``, the variable
      names of the calling cell (its locals, then globals) are used for the tensors of this graph;
    - ``view``: ``"data"`` or ``"autograd"`` picture; ``size``: ``"normal"`` or ``"large"`` (projector);
    - ``max_nodes``: bigger graphs show the part nearest the root (the panes still show every
      step); ``direction``: ``"LR"`` (the tutorial's picture) or ``"TB"`` (deep graphs then grow
      down the page instead of sideways).

    API: ``.steps``, ``.index`` (-1 before the first step), ``.next()``, ``.prev()``, ``.reset()``,
    ``.go(i)``, ``.leaf_grads()``, ``.error``, and ``.view`` (the ipywidgets box).
    """

    css_class = "minigrad-stepper"

    def __init__(self, root, gradient=None, names=None, *, view="data", size="normal",
                 max_nodes=300, direction="LR"):
        from . import _view
        self.model = StepperModel(root, gradient, names, _common.caller_namespace(1))
        self._ui = _view.StepperView(self.model, view=view, size=size, max_nodes=max_nodes,
                                     direction=direction)

    error = property(lambda self: self.model.error)
    view = property(lambda self: self._ui.box)

    def leaf_grads(self):
        return self.model.leaf_grads()
