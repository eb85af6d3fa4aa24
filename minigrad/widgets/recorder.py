"""``ForwardRecorder``: watch the graph being built, one operation at a time.

``with ForwardRecorder() as rec:`` collects the graph nodes the block creates (through the engine's
``record_forward``), then ``rec`` replays them: the picture grows op by op and each new tensor is
shown with its ``grad_fn``. Two things that create *no* node are made visible too, because
students meet them in the tutorial: code under ``torch.no_grad()`` (nothing recorded, and the
widget says why) and ``detach()`` (the detached tensor is a fresh leaf: the graph is cut there).
"""

from __future__ import annotations

from ..autograd import is_grad_enabled, record_forward
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor
from . import _common
from ._common import shape_text
from ..viz.state import GraphState

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names for the type hints only
    from ._settings import Direction, Size, View

_UNNAMED = "(unnamed)"


def _shape(shape):
    return shape_text(shape) if len(shape) else "(scalar)"


class RecorderModel(_common.Cursor):
    """State and logic of ``ForwardRecorder`` (plain Python, testable without a browser).

    ``index``: -1 before the first operation, then 0..len(steps)-1 (the op just made). After
    recording it starts at the last step, so the whole graph shows first.
    """

    def __init__(self, names=None):
        self.given_names = names
        self.steps, self.index = [], -1
        self.names = {}  # name -> tensor (what the picture labels)
        self.recording = False
        self.grad_was_off = False
        self._recorder = None
        self._before = {}
        self._name_of = {}  # id(tensor) -> name
        self._cuts, self._untracked = [], []

    # -- recording -----------------------------------------------------------------------------
    def start(self, namespace=None):
        self.steps, self.index = [], -1
        self._before = {k: id(v) for k, v in (namespace or {}).items() if isinstance(v, Tensor)}
        self.grad_was_off = not is_grad_enabled()
        self._recorder = record_forward()
        self._recorder.__enter__()
        self.recording = True

    def stop(self, namespace=None):
        if not self.recording:
            return
        self._recorder.__exit__(None, None, None)
        self.recording = False
        self.grad_was_off = self.grad_was_off or not is_grad_enabled()
        self.steps = list(self._recorder.steps)
        self._recorder = None
        if self.given_names is not None:
            named = _common.normalize_names(self.given_names)
        else:
            named = _common.tensors_in(namespace or {})
        self._name_of = {}
        for name, t in named.items():
            self._name_of.setdefault(id(t), name)
        self._keep = named
        # the picture's names: every named tensor (the picture labels those of the graph:
        # leaves, recorded outputs, and inputs that need no gradient, like the stepper's)
        self.names = dict(named)
        self._find_cuts(named, namespace)
        self.index = len(self.steps) - 1

    def _is_new(self, name, t, namespace):
        return namespace is not None and self._before.get(name) != id(t)

    def _find_cuts(self, named, namespace):
        """Detached tensors (sharing a graph tensor's values, with no grad_fn) and new tensors made
        without a graph (requires_grad=False)."""
        sources = [(s.output, s.index) for s in self.steps]
        sources += [(t, None) for t in named.values() if t.grad_fn is not None]
        self._cuts, self._untracked = [], []
        for name, t in named.items():
            if t.grad_fn is not None:
                continue
            source = next(((s, k) for s, k in sources if s is not t and s._array is t._array), None)
            if source is not None:
                src, k = source
                src_name = self._name_of.get(id(src)) or "a graph tensor"
                text = (
                    f"{name} = {src_name}.detach(): the same values as {src_name}, but "
                    f"grad_fn=None"
                    + (
                        ", and requires_grad=True was set on it again: a new "
                        "leaf, its own start of a graph"
                        if t.requires_grad
                        else " and requires_grad=False"
                    )
                )
                self._cuts.append((name, text, k, src))
            elif not t.requires_grad and self._is_new(name, t, namespace):
                if self.grad_was_off:
                    why = "made while grad mode was off (torch.no_grad()): requires_grad=False, no grad_fn"
                else:
                    why = (
                        "requires_grad=False, no grad_fn: made under torch.no_grad(), or only from "
                        "tensors that need no gradient"
                    )
                self._untracked.append((name, why))

    # -- what is shown -------------------------------------------------------------------------
    def output_name(self, step):
        return self._name_of.get(id(step.output)) or _UNNAMED

    def node_label(self, node):
        if node.__class__ is AccumulateGrad:
            return (
                self._name_of.get(id(node.variable)) or f"a leaf {shape_text(node.variable.shape)}"
            )
        for s in self.steps:
            if s.node is node:
                name = self.output_name(s)
                return name if name != _UNNAMED else f"the result of {node.name()}"
        return f"the result of {node.name()}"

    def _constant_label(self, value):
        """An input that needs no grad: its variable name, the Python number, or a description."""
        if isinstance(value, Tensor):
            return (
                self._name_of.get(id(value))
                or f"an input {shape_text(value.shape)} that needs no grad"
            )
        if isinstance(value, bool) or value is None:
            return "an input that needs no grad"
        return str(value) if isinstance(value, int) else _common.number(value)

    def describe(self, i):
        step = self.steps[i]
        seen = set()
        for s in self.steps[:i]:
            seen.update(c for c, _ in s.node.next_functions if c is not None)
        inputs, new_leaves = [], []
        values = step.node.input_values() if hasattr(step.node, "input_values") else ()
        for j, (child, _) in enumerate(step.node.next_functions):
            if child is None:
                inputs.append(self._constant_label(values[j] if j < len(values) else None))
                continue
            inputs.append(self.node_label(child))
            if child.__class__ is AccumulateGrad and child not in seen:
                new_leaves.append(self.node_label(child))
        return dict(
            name=self.output_name(step),
            shape=_shape(step.output.shape),
            grad_fn=step.node.name(),
            inputs=inputs,
            new_leaves=list(dict.fromkeys(new_leaves)),
            formula=step.node.formula,
        )

    def roots(self, i=None):
        """The tensors to draw at step ``i``: every output made so far that no later op (up to ``i``)
        used, so the picture holds exactly the graph built so far."""
        i = self.index if i is None else i
        used = set()
        for s in self.steps[: i + 1]:
            used.update(c for c, _ in s.node.next_functions if c is not None)
        return [s.output for s in self.steps[: i + 1] if s.node not in used]

    def marks(self, i=None):
        i = self.index if i is None else i
        active = self.steps[i].node if i >= 0 else None
        return GraphState(
            active=active, done=[s.node for s in self.steps[: max(i, 0)]], caption=self.caption(i)
        )

    def notes(self, i=None):
        """Picture notes: where a tensor was detached."""
        i = self.index if i is None else i
        return [
            (src, f"detach() → {name} (cut)")
            for name, _, k, src in self._cuts
            if k is None or k <= i
        ]

    def cuts(self, i=None):
        i = self.index if i is None else i
        return [(name, text) for name, text, k, _ in self._cuts if k is None or k <= i]

    def untracked(self):
        return list(self._untracked)

    def caption(self, i=None):
        i = self.index if i is None else i
        n = len(self.steps)
        if not n:
            return "nothing recorded"
        if i < 0:
            return f"before the first operation ({n} recorded)"
        step = self.steps[i]
        return f"operation {i + 1} of {n}: {self.output_name(step)} ← {step.node.name()}"

    def empty_title(self):
        return "No graph was recorded."

    def empty_reason(self):
        if self.recording:
            return "Still recording: the block has not finished."
        if self.grad_was_off:
            return (
                "Gradient tracking was off (torch.no_grad() or torch.set_grad_enabled(False)): "
                "operations then make no grad_fn, so no graph node is created."
            )
        if self._untracked:
            names = ", ".join(n for n, _ in self._untracked)
            return (
                f"The new tensors ({names}) have requires_grad=False and no grad_fn: they were "
                "computed under torch.no_grad(), or only from tensors that need no gradient, "
                "so no graph node was created."
            )
        if self._cuts:
            return (
                "detach() creates no graph node: the detached tensor is a fresh leaf, cut from "
                "the graph."
            )
        return (
            "No operation in the block had an input with requires_grad=True, so no graph "
            "node was created."
        )

    def text(self):
        """A deterministic plain-text account (the widget's text/plain)."""
        if not self.steps:
            lines = [f"ForwardRecorder: {self.empty_title()} {self.empty_reason()}"]
        else:
            lines = [f"ForwardRecorder: {self.caption()}"]
            for k, _s in enumerate(self.steps):
                d = self.describe(k)
                marker = "▶" if k == self.index else " "
                lines.append(
                    f" {marker}{k + 1}. {d['name']} {d['shape']} = {d['grad_fn']}"
                    f"({', '.join(d['inputs'])})"
                )
        for _name, text in self.cuts(len(self.steps)):
            lines.append(f"  cut: {text}")
        if self.steps:
            for name, why in self._untracked:
                lines.append(f"  not recorded: {name}: {why}")
        return "\n".join(lines)


class ForwardRecorder(_common.SteppingFront):
    """A ``with`` block that records the graph your code builds, then replays it step by step.

    >>> with ForwardRecorder() as rec:
    ...     z = torch.matmul(x, w) + b
    ...     loss = F.binary_cross_entropy_with_logits(z, y)
    >>> rec          # Prev / Next / slider: the graph grows one operation at a time

    Names: with ``names=None`` the tensors are named after the variables of the code that ran the
    block (its locals, then globals, read when the block ends); pass ``names={"z": z, ...}`` to
    choose. Under ``torch.no_grad()`` nothing is recorded and the widget says why; a
    ``detach()``ed tensor is listed as cut from the graph (a fresh leaf).

    API: ``.steps`` (``ForwardStep(index, node, output)``), ``.index`` (starts at the last step),
    ``.next()``, ``.prev()``, ``.reset()``, ``.go(i)``, ``.view``. Options as ``BackwardStepper``:
    ``view`` (here ``"data"`` unless ``minigrad.widgets.defaults(view=...)`` chose one), ``size``,
    ``max_nodes``, ``direction``.
    """

    css_class = "minigrad-recorder"

    def __init__(
        self,
        names: dict[str, Tensor] | None = None,
        *,
        view: View | None = None,
        size: Size | None = None,
        max_nodes: int = 300,
        direction: Direction | None = None,
    ) -> None:
        from . import _settings  # the options are checked before the block runs

        options = _settings.resolve(
            view=view or _settings.chosen("view", "data"), size=size, direction=direction
        )
        self.model = RecorderModel(names)
        self._options = dict(max_nodes=max_nodes, **options)
        self._ui = None

    def __enter__(self):
        self._ui = None
        self.model.start(_common.caller_namespace(1))
        return self

    def __exit__(self, *exc):
        self.model.stop(_common.caller_namespace(1))
        return False  # an error inside the block is not swallowed

    def _ui_(self):
        """The view is made on first use: the graph exists only once the block has run."""
        if self._ui is None:
            from .recorder_view import RecorderView

            self._ui = RecorderView(self.model, **self._options)
        return self._ui

    @property
    def view(self):
        return self._ui_().box
