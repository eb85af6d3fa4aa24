"""``BackwardStepper``: replay the real backward pass one node at a time, with its arithmetic.

The model (``StepperModel``) runs the engine's own generator, ``backward_steps``, once at
construction as a dry run (``accumulate=False, retain_graph=True``): every node really runs, but no
``.grad`` is written and the graph stays usable. Right after each step it also reads the node's
local derivatives (``autograd.chain_rule``), while the values they need are still saved. Stepping
then only moves an index through the recorded steps, so every number shown is one that
``loss.backward()`` computes, and watching changes nothing.
"""

from __future__ import annotations

import re

import numpy as _np

from .. import _format
from ..autograd import backward_steps
from ..autograd.chain_rule import explain, locals_of
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor
from ..viz.state import GraphState
from . import _common
from ..autograd import graph
from ._common import Namer, compact, copy_of, root_node

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names for the type hints only
    from ._settings import Direction, Size, View

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_TIMES = {"×": "·", "g@v": "@", "v@g": "@", "g⊗v": "⊗", "v⊗g": "⊗", "gJ": "·"}


class ChainLine:
    """One input edge's chain rule, as text: ``target`` (the input's name), ``equation`` (the
    rule with names, e.g. ``dL/da = dL/de · de/da = dL/de · b``), ``numbers`` (rows of
    ``(what, values)``; for scalars one row with the whole product) and ``agrees`` (the product
    shown equals the engine's gradient)."""

    __slots__ = ("target", "equation", "numbers", "agrees")

    def __init__(self, target, equation, numbers, agrees=True):
        self.target, self.equation, self.numbers, self.agrees = target, equation, numbers, agrees

    def text(self):
        if len(self.numbers) == 1 and not self.numbers[0][0]:
            return f"{self.equation} = {self.numbers[0][1]}"
        rows = [self.equation]
        width = max(len(what) for what, _ in self.numbers)
        for what, values in self.numbers:
            lines = values.split("\n")
            rows.append(f"  {what.ljust(width)} {lines[0]}")
            rows.extend(" " * (width + 3) + line for line in lines[1:])
        return "\n".join(rows)


class StepperModel(_common.Cursor):
    """The state and logic of ``BackwardStepper`` (plain Python, testable without a browser).

    ``index`` is -1 before the first step, then 0..len(steps)-1 (the step just run).
    """

    def __init__(self, root, gradient=None, names=None, namespace=None):
        self.root, self.gradient = root, gradient
        self.steps, self.error = [], None
        self._locals = []  # each step's Locals, read while the step's saved values exist
        self._explained = {}
        self.predictions = {}  # step index -> was the student's prediction right (predict mode)
        self.index = -1
        start = root_node(root) if isinstance(root, _common.Tensor) else None
        self.nodes = graph.nodes([start]) if start is not None else []
        self.namer = Namer(self.nodes, names, namespace)
        self.leaves = [n for n in self.nodes if n.__class__ is AccumulateGrad]
        self._initial = {n: copy_of(n.variable._grad) for n in self.leaves}
        self._trace()
        self._ran_at = {s.node: s.index for s in self.steps}
        self._arrivals = {}  # node -> [(step index, gradient array)] in the order they came
        for s in self.steps:
            for (child, _), g in zip(s.node.next_functions, s.outgoing):
                if child is not None and g is not None:
                    self._arrivals.setdefault(child, []).append((s.index, _common.array_of(g)))
        self._texts = {}  # (node, how many arrived) -> its grad line: notes are read per step
        self.root_name = self.namer.name_of(root) if isinstance(root, _common.Tensor) else None
        self.root_name = self.root_name or "out"

    def _trace(self):
        """Run the dry backward once and keep every step (or the error that stopped it)."""
        if not isinstance(self.root, _common.Tensor):
            self.error = (
                f"BackwardStepper needs a tensor to start from, got {type(self.root).__name__}."
            )
            return
        try:  # a dry run: no .grad is written
            for step in backward_steps(
                self.root, self.gradient, retain_graph=True, accumulate=False
            ):
                self.steps.append(step)
                self._locals.append(locals_of(step.node))
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

    # -- names ---------------------------------------------------------------------------------
    def label(self, node):
        return self.namer.label(node)

    def name(self, node):
        """The tensor a node stands for, as the chain rule names it: ``a``, ``z``, ``(a * b)``."""
        return self.namer.tensor_label(node)

    def d(self, of, by):
        """``dL/da``-style notation (brackets around expressions are kept)."""
        return f"d{of}/d{by}"

    # -- the arithmetic of one step --------------------------------------------------------------
    def explanation(self, index=None):
        """The ``StepExplanation`` of step ``index`` (default: the current one)."""
        index = self.index if index is None else index
        if index < 0:
            return None
        if index not in self._explained:
            self._explained[index] = explain(self.steps, index, self._locals[index])
        return self._explained[index]

    def arrival(self, index=None):
        """One line on the gradient that arrived: where it came from, summed when several."""
        e = self.explanation(index)
        if e is None:
            return ""
        node, root = e.node, self.root_name
        here = self.name(node)
        if not e.contributions or e.contributions[0].source is None:
            start = ": your gradient v" if self.gradient is not None else ""  # else d(root)/d(root)
            return f"{self.d(root, here)} = {compact(e.incoming, 6)}  (backward starts here{start})"
        parts = [compact(c.value, 4) for c in e.contributions]
        if len(parts) == 1:
            text = f"{self.d(root, here)} = {parts[0]}  (arrived from {self.name(e.contributions[0].source)})"
        else:
            sources = ", ".join(self.name(c.source) for c in e.contributions)
            text = (
                f"{self.d(root, here)} = {' + '.join(parts)} = {compact(e.summed, 4)}  "
                f"(summed: {here} was used {len(parts)} times, by {sources})"
            )
        if e.hooked:
            text += f"; a hook changed it to {compact(e.incoming, 4)}"
        return text

    def chain_lines(self, index=None):
        """One ``ChainLine`` per input edge of step ``index``; for an ``AccumulateGrad`` step, one
        line ``before + arriving = after``."""
        e = self.explanation(index)
        if e is None:
            return []
        root, node = self.root_name, e.node
        if e.step.leaf is not None:
            leaf = self.name(node)
            if e.before is None:
                numbers = [
                    (
                        "",
                        f"None + {compact(e.incoming, 6)} → {compact(e.after, 6)}  "
                        "(the first gradient is stored)",
                    )
                ]
            else:
                numbers = [
                    (
                        "",
                        f"{compact(e.before, 6)} + {compact(e.incoming, 6)} = {compact(e.after, 6)}",
                    )
                ]
            if e.incoming.size > 6:
                numbers = [
                    ("before", _format.block(e.before) if e.before is not None else "None"),
                    ("+ arriving", _format.block(e.incoming)),
                    ("= after", _format.block(e.after)),
                ]
            return [ChainLine(leaf, f"{leaf}.grad", numbers)]
        operands = self._operands(node)
        out = self.name(node)
        lines = []
        for edge in e.edges:
            target = self.name(edge.child)
            left = self.d(root, target)
            incoming = self.d(root, out)
            # the local derivative; at the root itself written ∂L/∂d (dL/dd is what it sends)
            local = f"∂{out}/∂{target}" if out == root else self.d(out, target)
            if edge.local is None:  # a custom Function: only what its backward returned
                lines.append(
                    ChainLine(
                        target,
                        f"{left} = {node.name()}.backward({incoming})",
                        [("", compact(edge.sent, 6))],
                    )
                )
                continue
            formula = _fill(edge.local.formula, operands, out)
            lines.append(self._line(edge, target, left, incoming, local, formula))
        return lines

    def _line(self, edge, target, left, incoming, local, formula):
        rule, loc = edge.local.rule, edge.local
        if rule == "given":
            equation = f"{left} = {incoming} through {formula}"
            return ChainLine(target, equation, [("", _format.block(edge.sent))])
        if rule == "route":
            equation = f"{left} = {incoming} moved back: {formula}"
            return ChainLine(target, equation, [("", _format.block(edge.sent))])
        if rule in ("reshape", "permute"):
            how = "reshaped" if rule == "reshape" else "dims put back"
            equation = f"{left} = {incoming}, {how} to {_format.shape_text(edge.computed.shape)}"
            return ChainLine(target, equation, [("", _format.block(edge.computed))], edge.agrees)
        times = _TIMES[rule]
        if rule in ("v@g", "v⊗g"):
            equation = f"{left} = {local} {times} {incoming} = {formula} {times} {incoming}"
        else:
            equation = f"{left} = {incoming} {times} {local} = {incoming} {times} {formula}"
        value = loc.value
        scalar = (
            rule == "×"
            and edge.incoming.size == 1
            and _size(value) == 1
            and not edge.summed_axes
            and edge.computed.size == 1
        )
        if scalar:
            g, v = _paren(edge.incoming), _paren(value)
            shown = f"{g} · {v} = {compact(edge.computed)}"
            if _is_number(formula):
                equation = f"{left} = {incoming} · {local} = {g} · {formula}"
                return ChainLine(target, equation, [("", compact(edge.computed))], edge.agrees)
            return ChainLine(target, equation, [("", shown)], edge.agrees)
        numbers = [(incoming, _format.block(edge.incoming))]
        if value is not None and not _is_number(formula):
            numbers.append((f"{local} = {formula}", _format.block(value)))
        if loc.spread is not None and edge.incoming.size != edge.product.size:
            numbers.append(("(spread over", f"{edge.product.size} positions)"))
        numbers.append(("product", _format.block(edge.product)))
        if edge.summed_axes:
            dims = ", ".join(str(a) for a in edge.summed_axes)
            numbers.append((f"summed over dim {dims} →", _format.block(edge.computed)))
        return ChainLine(target, equation, numbers, edge.agrees)

    def _operands(self, node):
        """The names that replace ``{a}``, ``{b}``... in a formula: the inputs, in edge order
        (a constant input by its value or its name)."""
        constants = node.input_values()
        names = []
        for (child, _), constant in zip(node.next_functions, constants):
            if child is not None:
                names.append(self.name(child))
            elif isinstance(constant, _common.Tensor):
                names.append(self.namer.name_of(constant) or _common.constant_name(constant))
            elif constant is not None:
                names.append(_format.number(constant))
            else:
                names.append("c")
        return names

    # -- predict, then press Next ----------------------------------------------------------------
    def question(self, index):
        """What a student is asked to predict before step ``index`` is shown: ``(prompt, expected
        array)`` — the gradient the step's first arrow will carry, or for an ``AccumulateGrad``
        step the ``.grad`` the leaf will hold; ``None`` when the step sends nothing."""
        if not 0 <= index < len(self.steps):
            return None
        step = self.steps[index]
        root = self.root_name
        if step.leaf is not None:
            leaf = self.name(step.node)
            return f"{leaf}.grad after this step (d{root}/d{leaf}, summed)", _common.array_of(
                step.grad_after
            )
        for (child, _), g in zip(step.node.next_functions, step.outgoing):
            if child is not None and g is not None:
                target = self.name(child)
                return (
                    f"the gradient {self.label(step.node)} sends to {target}: d{root}/d{target}",
                    _common.array_of(g),
                )
        return None

    def check_prediction(self, index, text):
        """Compare what a student typed (numbers, as in ``6`` or ``[1, -2.5]``) with the gradient of
        step ``index``; returns ``(right, message)`` and remembers it in ``predictions``."""
        asked = self.question(index)
        if asked is None:
            return True, "Nothing to predict here: this step sends no gradient."
        _, expected = asked
        typed = [float(v) for v in _NUMBER.findall(str(text))]
        if not typed:
            return False, "Type a number (or a list of numbers, e.g. [1.0, -2.0]) first."
        want = expected.reshape(-1)
        if len(typed) != want.size:
            return False, (
                f"The gradient has {want.size} number{'s' if want.size != 1 else ''}; "
                f"you typed {len(typed)}."
            )
        right = bool(_np.allclose(typed, want, rtol=1e-2, atol=1e-3))
        self.predictions.setdefault(index, right)  # the first try is the prediction
        shown = compact(expected, 6)
        return right, (f"Right: {shown}." if right else f"Not quite: the engine computes {shown}.")

    # -- what is shown -------------------------------------------------------------------------
    def leaf_grads(self, index=None):
        """{leaf name: its .grad as backward would have left it after step ``index``} (tensors or
        None). Before a leaf's AccumulateGrad step this is the .grad it has now."""
        index = self.index if index is None else index
        result = {}
        for node in self.leaves:
            name = self.namer.leaf_name[node]
            k = self._ran_at.get(node)
            if k is not None and k <= index:
                result[name] = self.steps[k].grad_after
            else:
                initial = self._initial[node]
                result[name] = (
                    None if initial is None else _common.Tensor._make(initial.copy(), False, None)
                )
        return result

    def gradient_of(self, node, index=None):
        """d root / d (the tensor ``node`` stands for), as far as backward got after step
        ``index``: complete once the node ran, a partial sum while contributions arrive, else
        ``None``. Returns ``(array or None, complete)``."""
        index = self.index if index is None else index
        k = self._ran_at.get(node)
        if k is not None and k <= index:
            return _common.array_of(self.steps[k].incoming), True
        total = None
        for at, g in self._arrivals.get(node, ()):
            if at <= index:
                total = g if total is None else total + g
        return total, False

    def _grad_text(self, node, index):
        """The ``grad`` line of a function node's box after step ``index`` (cached: it changes only
        when a contribution arrives or the node runs)."""
        k = self._ran_at.get(node)
        done = k is not None and k <= index
        arrived = sum(1 for at, _ in self._arrivals.get(node, ()) if at <= index)
        key = (node, arrived, done)
        if key not in self._texts:
            g, complete = self.gradient_of(node, index)
            self._texts[key] = (
                "grad ?" if g is None else "grad " + compact(g) + ("" if complete else " + …")
            )
        return self._texts[key]

    def sends(self, step):
        """``[(target node, its label, gradient tensor or None)]`` for the step's outgoing edges."""
        out = []
        for (child, _), g in zip(step.node.next_functions, step.outgoing):
            if child is not None:
                out.append((child, self.label(child), g))
        return out

    def notes(self, index=None):
        """The ``data`` / ``grad`` lines of every box at step ``index`` (micrograd's ``data | grad``;
        summaries for tensors), keyed by node (function nodes) or leaf tensor."""
        index = self.index if index is None else index
        notes = {}
        for node in self.nodes:
            if node.__class__ is AccumulateGrad:
                value, key = node.variable, node
                grad_text = self._leaf_text(node, index)
            else:
                value, key = node._output_or_saved(), node
                grad_text = self._grad_text(node, index)
            data = self._data_text(node, value)
            if data is None:
                notes[key] = [grad_text]
            elif value.numel() == 1 and len(grad_text) < 16:  # micrograd's "data | grad" line
                notes[key] = [f"{data} | {grad_text}"]
            else:
                notes[key] = [data, grad_text]
        return notes

    def _leaf_text(self, node, index):
        k = self._ran_at.get(node)
        done = k is not None and k <= index
        key = (node, "leaf", done)
        if key not in self._texts:
            grad = self.steps[k].grad_after if done else self._initial[node]
            self._texts[key] = "grad None" if grad is None else "grad " + compact(grad)
        return self._texts[key]

    def _data_text(self, node, value):
        if value is None:
            return None
        key = (node, "data")
        if key not in self._texts:
            self._texts[key] = "data " + compact(value)
        return self._texts[key]

    def marks(self, index=None):
        """What the picture highlights at step ``index``, as a ``GraphState``: active / done /
        pending nodes, the gradient along every edge crossed so far (keyed ``(node, i)``: each of
        two parallel edges has its own), and the ``data | grad`` lines of each box."""
        index = self.index if index is None else index
        done = [s.node for s in self.steps[: max(index, 0)]]
        active = self.steps[index].node if index >= 0 else None
        ran = set(done)
        if active is not None:
            ran.add(active)
        pending, labels = [], {}
        if index < 0 and self.steps:
            pending.append(self.steps[0].node)  # the root's node: the first gradient waits there
        for s in self.steps[: index + 1]:
            for j, ((child, _), g) in enumerate(zip(s.node.next_functions, s.outgoing)):
                if child is None or g is None:
                    continue
                labels[(s.node, j)] = compact(g)
                if child not in ran and child not in pending:
                    pending.append(child)
        return GraphState(
            active=active,
            done=done,
            pending=pending,
            edge_labels=labels,
            notes=self.notes(index),
            caption=self.caption(index),
        )

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
            lines.append("  " + self.arrival())
            for line in self.chain_lines():
                lines.extend("  " + row for row in line.text().split("\n"))
        grads = self.leaf_grads()
        if grads:
            lines.append(
                "  .grad: "
                + ", ".join(
                    f"{k}={compact(v, 3) if v is not None else 'None'}" for k, v in grads.items()
                )
            )
        return "\n".join(lines)


def _fill(formula, operands, out):
    """A formula with the operands' names in place of ``{a}``, ``{b}``... and ``{out}``."""
    text = formula.replace("{out}", out)
    for i, name in enumerate(operands):
        text = text.replace("{" + chr(ord("a") + i) + "}", name)
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _size(value):
    return _common.array_of(value).size if value is not None else 0


def _paren(value):
    return f"({compact(value)})"


class BackwardStepper(_common.SteppingFront):
    """Step through the real backward pass of ``root``, node by node, with its arithmetic.

    The stepper shows what ``root.backward(gradient)`` *would* accumulate; creating it or stepping
    it never changes any tensor's ``.grad`` (it replays a dry run of the engine, made once with
    ``accumulate=False, retain_graph=True``). Call ``loss.backward()`` to really do it. The steps
    are a snapshot taken at construction; hooks registered with ``register_hook`` run once then.

    - ``gradient``: the vector v for a non-scalar root (as in ``root.backward(gradient)``);
    - ``names``: ``{"w": w, "model": model, ...}`` to label tensors; when ``None``, the variable
      names of the calling cell (its locals, then globals) are used for the tensors of this graph;
    - ``view``: ``"autograd"`` (the default: the nodes backward runs) or ``"data"``;
      ``size``: ``"normal"`` or ``"large"`` (projector); defaults for both:
      ``minigrad.widgets.defaults(...)``;
    - ``max_nodes``: bigger graphs show the part nearest the root (the panes still show every
      step); ``direction``: ``"TB"`` (leaves at the top, the root at the bottom: the forward pass
      reads down the page, gradients flow up) or ``"LR"``.

    - ``predict=True``: an exercise mode: before each step is shown, the student types the
      gradient its first arrow will carry (or the leaf's ``.grad``), presses Check, and hears
      right or wrong; Next then shows the step (``.predictions``: step -> right).

    Keys, with the focus in the widget: → / PageDown / Space next, ← / PageUp previous, Home
    back to the start, End to the last step.

    API: ``.steps``, ``.index`` (-1 before the first step), ``.next()``, ``.prev()``, ``.reset()``,
    ``.go(i)``, ``.leaf_grads()``, ``.chain_lines()``, ``.error``, and ``.view`` (the ipywidgets box).
    """

    css_class = "minigrad-stepper"

    def __init__(
        self,
        root: Tensor,
        gradient: Tensor | None = None,
        names: dict[str, Tensor] | None = None,
        *,
        view: View | None = None,
        size: Size | None = None,
        max_nodes: int = 300,
        direction: Direction | None = None,
        predict: bool = False,
    ) -> None:
        from . import _settings
        from .stepper_view import StepperView

        self.model = StepperModel(root, gradient, names, _common.caller_namespace(1))
        options = _settings.resolve(view=view, size=size, direction=direction)
        self._ui = StepperView(self.model, max_nodes=max_nodes, predict=predict, **options)

    error = property(lambda self: self.model.error)
    view = property(lambda self: self._ui.box)
    predictions = property(lambda self: dict(self.model.predictions))

    def predict(self, text):
        """Type a prediction for the next step and press Check (predict mode); returns
        ``(right, message)``."""
        return self._ui.submit(text)

    def leaf_grads(self):
        return self.model.leaf_grads()

    def chain_lines(self):
        """The current step's chain rule, one text per input edge (see ``ChainLine``)."""
        return [line.text() for line in self.model.chain_lines()]
