"""``AccumulationExplorer``: call ``out.backward(v)`` and ``.grad.zero_()`` on real tensors and watch
``.grad`` add up.

Unlike the stepper, this widget acts on the user's tensors: accumulation is what it is about. Each
action is recorded in ``history`` with a copy of every input's ``.grad`` right after it.
"""

from __future__ import annotations

from . import _common
from ._common import copy_of

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names for the type hints only
    from collections.abc import Callable, Sequence

    from ..tensor import Tensor
    from ._settings import Size


class Entry:
    """One line of the history: the action (``"start"``, ``"backward(v)"``, ``"zero_()"``,
    ``"forward again"``), a numpy copy of each input's ``.grad`` before and after it (``None``
    where there is none), and the error text if the action failed (then ``.grad`` is unchanged).
    ``added(name)``: what this call added to that input's ``.grad``."""

    __slots__ = ("action", "grads", "error", "before")

    def __init__(self, action, grads, error=None, before=None):
        self.action, self.grads, self.error = action, grads, error
        self.before = dict(before) if before is not None else dict.fromkeys(grads)

    def added(self, name):
        after, before = self.grads.get(name), self.before.get(name)
        if after is None:
            return None
        return after if before is None else after - before

    def __repr__(self):
        shown = ", ".join(
            f"{k}={_common.compact(v, 3) if v is not None else 'None'}"
            for k, v in self.grads.items()
        )
        return f"Entry({self.action!r}, {shown}{', error' if self.error else ''})"


class AccumulationModel:
    """State and logic of ``AccumulationExplorer`` (plain Python, testable without a browser)."""

    def __init__(
        self,
        out,
        inputs,
        gradient=None,
        names=None,
        retain_graph=True,
        namespace=None,
        forward=None,
    ):
        self.out, self.gradient, self.forward = out, gradient, forward
        self.retain_graph = bool(retain_graph)
        self.inputs = self._name_inputs(inputs, names, namespace)
        self.error = None
        self.calls = 0  # backward() calls that succeeded
        self.history = [Entry("start", self.grads())]
        if not isinstance(out, _common.Tensor):
            self.error = f"AccumulationExplorer needs a tensor to call backward on, got {type(out).__name__}."
            self.history[0].error = self.error

    @staticmethod
    def _name_inputs(inputs, names, namespace):
        """{name: tensor} from a tensor, a list of tensors or a dict, named by ``names`` (a list of
        strings or a dict), else by the caller's variables, else ``input0``, ``input1``..."""
        if isinstance(inputs, dict):
            return _common.normalize_names(inputs)
        if isinstance(inputs, _common.Tensor):
            inputs = [inputs]
        inputs = list(inputs)
        if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
            if len(names) != len(inputs):
                raise ValueError(f"got {len(names)} names for {len(inputs)} inputs")
            return dict(zip(names, inputs))
        known = _common.normalize_names(names)
        if namespace is not None:
            for k, v in _common.tensors_in(namespace).items():
                known.setdefault(k, v)
        by_id = {}
        for k, v in known.items():
            by_id.setdefault(id(v), k)
        result = {}
        for i, t in enumerate(inputs):
            name = by_id.get(id(t)) or f"input{i}"
            while name in result:
                name += "'"
            result[name] = t
        return result

    def grads(self):
        # ._grad, not .grad: reading .grad of a non-leaf warns on stderr (and nbval compares stderr)
        return {name: copy_of(t._grad) for name, t in self.inputs.items()}

    def backward(self):
        """``out.backward(gradient, retain_graph=...)``; an error is shown, never raised."""
        label = "backward(v)" + (", retain_graph=True" if self.retain_graph else "")
        self.error = None
        before = self.grads()
        if isinstance(self.out, _common.Tensor):
            try:
                self.out.backward(self.gradient, retain_graph=self.retain_graph)
                self.calls += 1
            except Exception as error:  # the engine puts every .grad back when it fails
                self.error = _common.error_text(error)
        else:
            self.error = self.history[0].error
        self.history.append(Entry(label, self.grads(), self.error, before))
        return self.history[-1]

    @property
    def needs_forward(self):
        """The last backward failed because the graph was freed: only a new forward helps."""
        return bool(self.error) and "second time" in self.error

    def forward_again(self):
        """Build the graph again with ``forward()`` (the function given to the widget): the
        ``.grad`` values stay, only ``out`` is new, so backward works again."""
        if self.forward is None:
            self.error = "No forward function was given: re-run the cell that computes out."
            return None
        before = self.grads()
        try:
            out = self.forward()
        except Exception as error:
            self.error = _common.error_text(error)
            self.history.append(Entry("forward again", self.grads(), self.error, before))
            return self.history[-1]
        if not isinstance(out, _common.Tensor):
            self.error = f"forward() must return a tensor, got {type(out).__name__}."
        else:
            self.out, self.error = out, None
        self.history.append(Entry("forward again", self.grads(), self.error, before))
        return self.history[-1]

    def zero_(self):
        """``t.grad.zero_()`` for every input whose ``.grad`` exists (a ``None`` grad stays None)."""
        self.error = None
        before = self.grads()
        for t in self.inputs.values():
            if t._grad is not None:
                t._grad.zero_()
        self.history.append(Entry("zero_()", self.grads(), None, before))
        return self.history[-1]

    @property
    def hint(self):
        return _common.hint_for(self.error) if self.error else ""

    def text(self, max_entries=8):
        """A deterministic plain-text account: the last few history entries with their values."""
        lines = [
            f"AccumulationExplorer: retain_graph={self.retain_graph}, "
            f"{len(self.history) - 1} actions"
        ]
        shown = self.history[-max_entries:]
        if len(self.history) > max_entries:
            lines.append(f"  ({len(self.history) - max_entries} earlier entries not shown)")
        for entry in shown:
            lines.append(f"  {entry.action}:")
            if entry.error:
                lines.append(f"    error: {entry.error}")
            for name, g in entry.grads.items():
                text = _common.block(g) if g is not None else "None"
                prefix = f"    {name}.grad = "
                lines.append(prefix + text.replace("\n", "\n" + " " * len(prefix)))
        return "\n".join(lines)


class AccumulationExplorer(_common.WidgetFront):
    """Buttons that call ``out.backward(gradient, retain_graph=...)`` and ``.grad.zero_()`` on your
    real tensors, with a history of every input's ``.grad`` after each call.

    It mirrors the tutorial's cell: two backward calls double ``inp.grad``, ``zero_()`` resets it.
    With the retain_graph toggle off, the first backward frees the graph and the second shows
    PyTorch's error inside the widget (nothing is raised into the notebook).

    - ``inputs``: a tensor, a list of tensors or ``{name: tensor}``; ``names``: a list of names
      for them (default: the caller's variable names, else ``input0``...);
    - ``gradient``: the v of ``out.backward(v)`` (needed when ``out`` is not a scalar);
    - ``forward``: a function that computes ``out`` again (``lambda: (inp + 1).pow(2).t()``):
      after the freed-graph error, a button runs it, so backward works again;
    - ``size``: ``"normal"`` or ``"large"`` (default: ``minigrad.widgets.defaults``);
    - keys, with the focus in the widget: → / PageDown call backward(v), Home calls zero_();
      ``clicker=True``: also when its cell is selected in the notebook (a presenter's clicker).

    Each call's row shows ``before + this call = after`` for every input, the newest highlighted;
    the whole history scrolls.

    API: ``.backward()``, ``.zero_()``, ``.retain_graph`` (synced with the toggle), ``.history``
    (``Entry(action, grads, error)``; entry 0 is the state at creation), ``.error``, ``.view``.
    """

    css_class = "minigrad-accumulation"

    def __init__(
        self,
        out: Tensor,
        inputs: Sequence[Tensor],
        gradient: Tensor | None = None,
        *,
        names: dict[str, Tensor] | None = None,
        retain_graph: bool = True,
        size: Size | None = None,
        forward: Callable[[], Tensor] | None = None,
        clicker: bool = False,
    ) -> None:
        from . import _settings
        from .accumulation_view import AccumulationView

        self.model = AccumulationModel(
            out, inputs, gradient, names, retain_graph, _common.caller_namespace(1), forward
        )
        self._ui = AccumulationView(
            self.model, size=_settings.resolve(size=size)["size"], clicker=clicker
        )

    history = property(lambda self: self.model.history)
    error = property(lambda self: self.model.error)
    view = property(lambda self: self._ui.box)

    @property
    def retain_graph(self):
        return self.model.retain_graph

    @retain_graph.setter
    def retain_graph(self, value):
        self._ui.set_retain_graph(bool(value))

    def backward(self):
        return self._ui.backward()

    def zero_(self):
        return self._ui.zero_()

    def forward_again(self):
        return self._ui.forward_again()
