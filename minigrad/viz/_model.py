"""From an autograd graph to boxes and arrows (no DOT and no rendering here).

Both views walk the graph the same way: depth first from the root(s), following
``next_functions`` in order and listing a node after everything it depends on. That order is the
forward program's order (inputs first) and depends only on the graph's structure, so the ids
(``t0``, ``f0``, ...) it hands out are the same in every process and for every way of building the
same graph; ``_sequence_nr`` and ``id()`` never reach the output.

Which tensors the data view can show. Nodes keep weak references (``Function.output()`` and
``Function.input_values()``), so:

- leaves that require grad: from ``AccumulateGrad.variable``;
- a node's output: one box per node, named after every tensor of ``names=``/roots that has that
  ``grad_fn`` (or its ``output()``); an unnamed one shows just its shape (``node._output_shape``);
- inputs that need no gradient (a ``None`` edge): ``node.input_values()`` gives the tensor while
  it exists, or the Python number; an input that no longer exists is an anonymous ``(input)`` box.
"""

import numbers

from ..autograd import graph
from ..autograd.function import AccumulateGrad, _SavedOutput
from ..tensor import Tensor
from . import _text
from ._style import KIND_WORDS

_UNKEPT_TOOLTIP = (
    "An input that needs no gradient. Autograd keeps only a weak reference to it, "
    "and that tensor no longer exists."
)


class Box:
    """One drawn node: ``kind`` picks the style, ``title`` (bold) and ``lines`` are plain text."""

    __slots__ = ("id", "kind", "title", "lines", "tooltip", "rank", "shape")

    def __init__(self, id, kind, title, lines, tooltip, rank, shape=None):  # noqa: A002
        self.id, self.kind, self.title, self.lines = id, kind, title, list(lines)
        self.tooltip, self.rank, self.shape = tooltip, rank, shape


class Arrow:
    """One drawn edge ``tail -> head`` in DOT order; ``kind`` says what it stands for; ``edge``:
    the graph edge it draws, ``(node, i)`` for ``node.next_functions[i]`` (a gradient travels
    along it in backward), else ``None``. Parallel edges (``a * a``) each have their own."""

    __slots__ = ("tail", "head", "kind", "edge")

    def __init__(self, tail, head, kind, edge=None):
        self.tail, self.head, self.kind, self.edge = tail, head, kind, edge


class Model:
    """Everything a picture needs, built once; pictures with another state reuse it."""

    def __init__(self, view):
        self.view = view
        self.boxes = []
        self.arrows = []
        self.by_object = {}  # id(node or tensor) -> box id (objects kept alive in _keep)
        self.edge_ends = {}  # id(node) -> box ids an edge key may use for it (data view: op & out)
        self.hidden = 0
        self.root_boxes = []  # box ids of the root tensors (for the description)
        self.root_names = []
        self.counts = {}
        self._keep = []

    def resolve(self, obj):
        """The box id standing for an engine node, a tensor or a box id; ``None`` if not drawn."""
        if isinstance(obj, str):
            return obj if obj in self._ids else None
        box = self.by_object.get(id(obj))
        if box is not None:
            return box
        if isinstance(obj, Tensor):
            if obj.grad_fn is not None:
                return self._tensor_of(obj.grad_fn)
            if obj._acc is not None:
                return self.by_object.get(id(obj._acc))
        return None

    def result_box(self, node):
        """The box of the tensor ``node`` produced (the leaf for an ``AccumulateGrad``)."""
        if isinstance(node, AccumulateGrad):
            return self.resolve(node.variable) or self.resolve(node)
        return self._tensor_of(node)

    def _tensor_of(self, node):
        ends = self.edge_ends.get(id(node))
        return ends[-1] if ends else self.by_object.get(id(node))

    def ends(self, obj):
        """The box ids an edge key ``obj`` may stand for (a data-view node: its op and result)."""
        if not isinstance(obj, str) and id(obj) in self.edge_ends:
            return self.edge_ends[id(obj)]
        box = self.resolve(obj)
        return (box,) if box is not None else ()

    def finish(self):
        self._ids = {b.id for b in self.boxes}
        counts = {}
        for b in self.boxes:
            counts[b.kind] = counts.get(b.kind, 0) + 1
        self.counts = counts


def op_text(node):
    """A short operation label for the data view: ``+``, ``matmul``, ``binary_cross_entropy_with_logits``."""
    if node.label:
        return node.label
    name = node.name() or type(node).__name__
    base = name
    cut = base.rfind("Backward")
    if cut > 0:
        base = base[:cut]
    if base in _OP_SYMBOLS:
        return _OP_SYMBOLS[base]
    out = []
    for i, c in enumerate(base):
        if (
            c.isupper()
            and i
            and (not base[i - 1].isupper() or (i + 1 < len(base) and base[i + 1].islower()))
        ):
            out.append("_")
        out.append(c.lower())
    return "".join(out) or name


_OP_SYMBOLS = {
    "Add": "+",
    "Sub": "-",
    "Rsub": "-",
    "Mul": "*",
    "Div": "/",
    "Neg": "neg",
    "Mm": "matmul",
    "Mv": "matmul",
    "Dot": "matmul",
    "Bmm": "matmul",
    "Pow": "pow",
    "T": "t",
    "BinaryCrossEntropyWithLogits": "BCE with logits",
    "BinaryCrossEntropy": "BCE",
    "MseLoss": "MSE loss",
    "NllLoss": "NLL loss",
}


def _tooltip(node):
    formula = getattr(node, "formula", "") or ""
    return f"{node.name()}: {formula}" if formula else str(node.name())


def _saved_raw(node):
    """What the node saved, without the version check (``()`` when freed or nothing). A node's
    own output is kept packed (``_SavedOutput``): the picture shows it as the node's output
    (``Function._output_or_saved``: the tensor while it exists, with its name)."""
    if getattr(node, "is_freed", False):
        return ()
    saved = getattr(node, "_saved", ())
    if not isinstance(saved, tuple):
        return ()
    return tuple([node._output_or_saved() if isinstance(s, _SavedOutput) else s for s in saved])


# -- building ---------------------------------------------------------------------------------------
class Builder:
    def __init__(self, roots, names, view, show_values, show_grads, show_saved, compact=False):
        self.roots, self.view, self.compact = roots, view, compact
        self.show_values, self.show_grads, self.show_saved = show_values, show_grads, show_saved
        self.model = Model(view)
        self._counters = {}
        self.names = {}  # id(tensor) -> [names]
        self.tensors = {}  # id(tensor) -> tensor (keeps them alive while ids are used)
        for name, t in names:
            self.names.setdefault(id(t), []).append(name)
            self.tensors[id(t)] = t
        self.starts = []
        for r in roots:
            if r.grad_fn is not None and r.grad_fn not in self.starts:
                self.starts.append(r.grad_fn)
        self.ranks = graph.distances(self.starts)
        self.events = graph.inputs_first(self.starts)
        # node -> tensors we know with that grad_fn (for names, values and grads of results)
        self.results = {}
        for t in list(self.tensors.values()) + list(roots):
            if t.grad_fn is not None:
                self._add_result(t)
        for node in self.ranks:
            for s in _saved_raw(node):
                if isinstance(s, Tensor) and s.grad_fn is not None:
                    self._add_result(s)
            output = node.output() if hasattr(node, "output") else None
            if output is not None:
                self._add_result(output)
        self.root_ids = {id(r) for r in roots}
        self.root_fns = {r.grad_fn for r in roots if r.grad_fn is not None}

    def _add_result(self, t):
        known = self.results.setdefault(t.grad_fn, [])
        if all(k is not t for k in known):
            known.append(t)

    def new_id(self, prefix):
        n = self._counters.get(prefix, 0)
        self._counters[prefix] = n + 1
        return f"{prefix}{n}"

    def add(self, prefix, kind, title, lines, tooltip, rank, shape=None, objects=()):
        box = Box(self.new_id(prefix), kind, title, lines, tooltip, rank, shape)
        self.model.boxes.append(box)
        for obj in objects:
            self.model.by_object[id(obj)] = box.id
            self.model._keep.append(obj)
        return box.id

    def arrow(self, tail, head, kind, edge=None):
        self.model.arrows.append(Arrow(tail, head, kind, edge))

    # -- labels -------------------------------------------------------------------------------------
    def names_of(self, t):
        return [_text.clean(n, _text.MAX_NAME) for n in self.names.get(id(t), ())]

    def tensor_lines(self, kind, shape, tensor):
        word = KIND_WORDS.get(kind)
        shape_line = _text.shape_text(shape)
        lines = [f"{word} {shape_line}" if word else shape_line]
        if tensor is not None and self.show_values:
            values = _text.value_lines(tensor._array)
            lines.append("data " + values[0])
            lines.extend(values[1:])
        if tensor is not None and self.show_grads:
            g = tensor._grad
            if g is None:
                lines.append("grad None")
            else:
                values = _text.value_lines(g._array)
                lines.append("grad " + values[0])
                lines.extend(values[1:])
        return lines

    def leaf_box(self, t, rank):
        """A leaf tensor (shared by every use); its kind says whether it requires grad."""
        known = self.model.by_object.get(id(t))
        if known is not None:
            return known
        kind = "parameter" if t.requires_grad else "input"
        title = ", ".join(self.names_of(t))
        tooltip = "leaf tensor" + (" with requires_grad=True" if t.requires_grad else "")
        objects = [t] + ([t._acc] if t._acc is not None and self.view == "data" else [])
        return self.add(
            "t",
            kind,
            title,
            self.tensor_lines(kind, t.shape, t),
            tooltip,
            rank,
            tuple(t.shape),
            objects,
        )

    def result_title(self, node):
        names = []
        for t in self.results.get(node, ()):
            names.extend(self.names_of(t))
        return ", ".join(dict.fromkeys(names))

    def result_tensor(self, node):
        """The tensor we show values of for a node's output (a root first)."""
        known = self.results.get(node, ())
        for t in known:
            if id(t) in self.root_ids:
                return t
        return known[0] if known else None

    # -- the data view --------------------------------------------------------------------------------
    def data_view(self):
        results = {}  # node -> box id of its output
        pending_inputs = {}  # node -> {edge position: box id}
        candidates = {}
        for node, i in self.events:
            rank = self.ranks[node]
            if i is not None:  # an input that needs no gradient
                if node not in candidates:
                    candidates[node] = node.input_values()
                pending_inputs.setdefault(node, {})[i] = self._input_box(candidates[node][i], rank)
                continue
            if isinstance(node, AccumulateGrad):
                self.leaf_box(node.variable, rank)
                self.model.by_object[id(node)] = self.model.by_object[id(node.variable)]
                self.model._keep.append(node)
                continue
            sources = []
            for j, (child, _) in enumerate(node.next_functions):
                if child is None:
                    sources.append(pending_inputs[node][j])
                elif isinstance(child, AccumulateGrad):
                    sources.append(self.model.by_object[id(child)])
                else:
                    sources.append(results[child])
            lines = []
            if self.show_saved:
                lines.append(self._saved_summary(node))
            op = self.add("f", "op", op_text(node), lines, _tooltip(node), rank, objects=[node])
            for j, s in enumerate(sources):
                self.arrow(s, op, "data", (node, j))
            kind = "output" if node in self.root_fns else "intermediate"
            shape = getattr(node, "_output_shape", None)
            tensor = self.result_tensor(node)
            title = self.result_title(node)
            if not title and kind == "output":
                title = "output"
            tooltip = f"result of {node.name()}" + ("" if title else " (unnamed)")
            out = self.add(
                "t",
                kind,
                title,
                self.tensor_lines(kind, shape, tensor),
                tooltip,
                rank,
                shape,
                objects=self.results.get(node, ()),
            )
            results[node] = out
            if kind == "output":
                self.model.root_boxes.append(out)
            self.model.edge_ends[id(node)] = (op, out)
            self.arrow(op, out, "data")
        for r in self.roots:  # roots without a graph: one box each
            if r.grad_fn is None:
                box = self.leaf_box(r, 0)
                if box not in self.model.root_boxes:
                    self.model.root_boxes.append(box)

    def _input_box(self, value, rank):
        """The box for an input behind a ``None`` edge (``Function.input_values``)."""
        if isinstance(value, Tensor):  # needs no grad, so it has no grad_fn: a leaf
            return self.leaf_box(value, rank)
        if value is not None:
            return self.add(
                "t", "input", _text.number(value), ["constant"], "a Python number", rank, ()
            )
        return self.add("t", "input", "(input)", ["no longer exists"], _UNKEPT_TOOLTIP, rank)

    def _saved_summary(self, node):
        if getattr(node, "is_freed", False):
            return "saved: freed"
        parts = []
        for s in _saved_raw(node):
            if s is None:
                continue
            if isinstance(s, Tensor):
                parts.append(", ".join(self.names_of(s)) or _text.shape_text(s.shape))
            elif isinstance(s, numbers.Number):
                parts.append(_text.number(s))
            else:
                parts.append(_text.shape_text(getattr(s, "shape", None)) or type(s).__name__)
        return "saved: " + (", ".join(parts) if parts else "nothing")

    # -- the autograd view ------------------------------------------------------------------------------
    def autograd_view(self):
        boxes = {}
        for node, i in self.events:
            if i is not None:
                continue  # PyTorch keeps None there: nothing to draw
            rank = self.ranks[node]
            if isinstance(node, AccumulateGrad) and self.compact:  # the leaf inside its node
                leaf = node.variable
                title = ", ".join(self.names_of(leaf)) or "(leaf)"
                shape = f" {_text.shape_text(leaf.shape)}" if leaf.shape else ""
                lines = [f"AccumulateGrad{shape}"]
                boxes[node] = self.add(
                    "a",
                    "accumulate",
                    title,
                    lines,
                    _tooltip(node),
                    rank,
                    tuple(leaf.shape),
                    objects=[node, leaf],
                )
                continue
            if isinstance(node, AccumulateGrad):
                leaf = node.variable
                leaf_id = self.leaf_box(leaf, rank)
                names = self.names_of(leaf)
                target = (names[0] if len(names) == 1 else "the leaf") + ".grad"
                acc = self.add(
                    "a",
                    "accumulate",
                    "AccumulateGrad",
                    [f"adds into {target}"],
                    _tooltip(node),
                    rank,
                    objects=[node],
                )
                self.arrow(leaf_id, acc, "variable")
                boxes[node] = acc
                continue
            lines = []
            title = self.result_title(node)
            if title:
                lines.append(f"grad_fn of {title}")
            if getattr(node, "is_freed", False):
                lines.append("saved values freed")
            fn = self.add(
                "f",
                "function",
                node.name(),
                lines,
                _tooltip(node),
                rank,
                getattr(node, "_output_shape", None),
                objects=[node],
            )
            boxes[node] = fn
            for j, (child, _) in enumerate(node.next_functions):
                if child is not None:
                    self.arrow(boxes[child], fn, "next", (node, j))
            if self.show_saved:
                for j, s in enumerate(_saved_raw(node)):
                    if s is None:
                        continue
                    self.arrow(self._saved_box(s, j, rank), fn, "saved")
        for r in self.roots:
            if r.grad_fn is None:
                box = self.leaf_box(r, 0)
            elif self.compact:  # the root's grad_fn stands for it
                box = boxes[r.grad_fn]
                self.model.by_object.setdefault(id(r), box)
                self.model._keep.append(r)
            else:
                names = self.names_of(r)
                box = self.model.by_object.get(id(r))
                if box is None:
                    box = self.add(
                        "t",
                        "output",
                        ", ".join(names) or "output",
                        self.tensor_lines("output", r.shape, r),
                        "root tensor",
                        0,
                        tuple(r.shape),
                        [r],
                    )
                    self.arrow(boxes[r.grad_fn], box, "grad_fn")
            if box not in self.model.root_boxes:
                self.model.root_boxes.append(box)

    def _saved_box(self, s, j, rank):
        if isinstance(s, Tensor):
            names = self.names_of(s)
            label = ", ".join(names) if names else _text.shape_text(s.shape)
            lines = [_text.shape_text(s.shape)] if names else []
            if self.show_values:
                lines.extend(_text.value_lines(s._array))
            return self.add(
                "s", "saved", f"saved[{j}] {label}", lines, "saved tensor", rank, tuple(s.shape)
            )
        if isinstance(s, numbers.Number):
            return self.add(
                "s", "saved", f"saved[{j}] {_text.number(s)}", [], "saved number", rank, ()
            )
        shape = getattr(s, "shape", None)
        return self.add(
            "s",
            "saved",
            f"saved[{j}] {_text.shape_text(shape) or type(s).__name__}",
            [],
            "saved value",
            rank,
            shape,
        )


def build(
    roots,
    names,
    view,
    show_values=False,
    show_grads=False,
    show_saved=False,
    max_nodes=None,
    compact=False,
):
    b = Builder(roots, names, view, show_values, show_grads, show_saved, compact)
    if view == "data":
        b.data_view()
    else:
        b.autograd_view()
    model = b.model
    model.root_names = [", ".join(b.names_of(r)) or "output" for r in roots]
    if max_nodes is not None and len(model.boxes) > max_nodes:
        _cap(model, max_nodes)
    model.finish()
    return model


def _cap(model, max_nodes):
    """Keep the boxes nearest the root(s), whole ranks at a time, and one note for the rest."""
    per_rank = {}
    for b in model.boxes:
        per_rank[b.rank] = per_rank.get(b.rank, 0) + 1
    budget, kept_ranks = max(max_nodes - 1, 1), set()
    total = 0
    for r in sorted(per_rank):
        if kept_ranks and total + per_rank[r] > budget:
            break
        kept_ranks.add(r)
        total += per_rank[r]
    kept = [b for b in model.boxes if b.rank in kept_ranks]
    kept_ids = {b.id for b in kept}
    model.hidden = len(model.boxes) - len(kept)
    note = Box(
        "more",
        "note",
        f"{_text.ELLIPSIS} {model.hidden} more nodes not shown",
        [f"(max_nodes={max_nodes})"],
        "draw_graph(..., max_nodes=...) shows more",
        -1,
    )
    arrows, linked = [], set()
    for a in model.arrows:
        tail_in, head_in = a.tail in kept_ids, a.head in kept_ids
        if tail_in and head_in:
            arrows.append(a)
        elif tail_in or head_in:
            pair = ("more", a.head) if head_in else (a.tail, "more")
            if pair not in linked:
                linked.add(pair)
                arrows.append(Arrow(pair[0], pair[1], "more"))
    model.boxes = kept + [note]
    model.arrows = arrows
    model.by_object = {k: v for k, v in model.by_object.items() if v in kept_ids}
    model.edge_ends = {
        k: tuple(v for v in ends if v in kept_ids) for k, ends in model.edge_ends.items()
    }
    model.root_boxes = [b for b in model.root_boxes if b in kept_ids]
