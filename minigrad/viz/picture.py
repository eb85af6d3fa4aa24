"""``draw_graph`` and the ``GraphPicture`` it returns (``GraphState``, what a step widget
highlights, lives in ``state.py``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

from ..tensor import Tensor
from . import _dot, _model, _render, _text
from .state import GraphState

VIEWS = ("data", "autograd")
# The PNG in a display bundle: 96 dpi makes one PNG pixel one CSS pixel of the SVG (1 pt = 4/3 px),
# so a viewer that shows the PNG (an untrusted notebook, GitHub, nbviewer) shows the same size.
DISPLAY_DPI = 96
DIRECTIONS = ("LR", "RL", "TB", "BT")


class PictureNode:
    """One box of a picture: ``id`` (its DOT id), ``kind``, ``label`` (name or title, plain text),
    ``text`` (every line), ``shape`` (tensor/output shape or ``None``), ``state`` (highlight)."""

    __slots__ = ("id", "kind", "label", "text", "shape", "state")

    def __init__(self, id, kind, label, text, shape, state):  # noqa: A002
        self.id, self.kind, self.label, self.text, self.shape, self.state = (
            id,
            kind,
            label,
            text,
            shape,
            state,
        )

    def __repr__(self):
        extra = f", state={self.state!r}" if self.state else ""
        return f"PictureNode({self.id!r}, kind={self.kind!r}, label={self.label!r}{extra})"

    def __eq__(self, other):
        return isinstance(other, PictureNode) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__
        )

    __hash__ = None


class PictureEdge:
    """One arrow: ``tail -> head`` box ids as written in DOT, ``kind`` (data, next, grad_fn,
    variable, saved, more) and ``label`` (from the state, or ``None``)."""

    __slots__ = ("tail", "head", "kind", "label")

    def __init__(self, tail, head, kind, label):
        self.tail, self.head, self.kind, self.label = tail, head, kind, label

    def __repr__(self):
        extra = f", label={self.label!r}" if self.label else ""
        return f"PictureEdge({self.tail!r} -> {self.head!r}, kind={self.kind!r}{extra})"


class GraphPicture:
    """A drawn graph. Shows itself in Jupyter as SVG, with a PNG beside it for viewers that do not
    show SVG (an untrusted notebook); ``.source`` is the DOT text, ``.svg()`` the
    picture, ``.save(path)`` writes .svg/.png/.dot, ``.with_state(state)`` re-highlights it.

    The picture is a snapshot: values and names are read when ``draw_graph`` runs.
    """

    def __init__(self, model, state=None, direction="TB", legend=True, renderer=None):
        self._model = model
        self.state = state
        self.direction = direction
        self.legend = legend
        self.renderer = renderer
        self._source = None
        self._svg = None

    @property
    def view(self):
        return self._model.view

    @property
    def hidden(self):
        """How many boxes ``max_nodes`` left out (0 when the whole graph is shown)."""
        return self._model.hidden

    def with_state(self, state=None):
        """The same graph with another highlight (nothing is walked or measured again)."""
        if state is not None and not isinstance(state, GraphState):
            raise TypeError(f"state must be a GraphState or None, got {type(state).__name__}")
        return GraphPicture(self._model, state, self.direction, self.legend, self.renderer)

    def frames(self, states):
        """The pictures of several highlight states of this graph, laid out once so that no box
        moves between them (``Frames.frame(i)`` is the SVG of ``states[i]``)."""
        from ._frames import Frames

        return Frames(self._model, list(states), self.direction, self.renderer)

    @property
    def kinds(self):
        """The kinds of box drawn, with their counts."""
        return dict(self._model.counts)

    def _resolved(self):
        if not hasattr(self, "_marks"):
            self._marks, self._notes, self._labels = _dot.resolve_state(self._model, self.state)
        return self._marks, self._notes, self._labels

    @property
    def source(self):
        """The DOT text (byte-identical for the same graph and state in any process)."""
        if self._source is None:
            self._source = _dot.write(self._model, self.state, self.direction, self.legend)
        return self._source

    @property
    def nodes(self):
        """The boxes in DOT order, as ``PictureNode`` records."""
        marks, notes, _ = self._resolved()
        result = []
        for b in self._model.boxes:
            text = [t for t in [b.title, *b.lines, *notes.get(b.id, ())] if t]
            label = b.title or (b.lines[0] if b.lines else "")
            shape = tuple(b.shape) if b.shape is not None else None
            result.append(PictureNode(b.id, b.kind, label, "\n".join(text), shape, marks.get(b.id)))
        return result

    @property
    def edges(self):
        """The arrows in DOT order, as ``PictureEdge`` records."""
        _, _, labels = self._resolved()
        return [
            PictureEdge(a.tail, a.head, a.kind, labels.get(i))
            for i, a in enumerate(self._model.arrows)
        ]

    def result_id(self, node):
        """The box drawing the tensor an engine node stands for: in the data view the result box
        of a grad_fn (not its operation's ellipse), else the node's own box (``None`` if not drawn)."""
        return self._model.result_box(node)

    def node_id(self, obj):
        """The box id drawing an engine node or tensor (``KeyError`` if it is not drawn)."""
        box = self._model.resolve(obj)
        if box is None:
            raise KeyError(f"{_describe(obj)} is not drawn in this picture")
        return box

    # -- output ---------------------------------------------------------------------------------------
    def svg(self):
        """The SVG text (an ``<svg>`` element). Raises ``RenderError`` if no renderer works."""
        if self._svg is None:
            self._svg = _render.render(self.source, "svg", self.renderer).decode("utf-8")
        return self._svg

    def png(self, dpi=144):
        """PNG bytes (rendered at ``dpi``)."""
        return _render.render(self.source, "png", self.renderer, (f"-Gdpi={int(dpi)}",))

    def display_png(self):
        """The base64 PNG that display bundles carry beside the SVG: JupyterLab does not show
        stored SVG from an untrusted notebook, but it does show PNG. Its bytes are as
        deterministic as the renderer's (graphviz-pure: the same graph gives the same bytes).
        ``None`` when the renderer cannot make PNG (a bundle then has the SVG alone)."""
        try:
            return base64.b64encode(self.png(DISPLAY_DPI)).decode("ascii")
        except _render.RenderError:
            return None

    def html(self):
        """Inline SVG for an HTML page or widget, or the DOT text and a fix message."""
        try:
            return self.svg()
        except _render.RenderError as error:
            return _fallback_html(str(error), self.source)

    def save(self, path):
        """Write the picture; the extension picks the format (.svg, .png, .dot or .gv)."""
        from pathlib import Path

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            path.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            path.write_bytes(self.png())
        elif suffix in (".dot", ".gv"):
            path.write_text(self.source, encoding="utf-8")
        else:
            raise ValueError(
                f"cannot save a picture as {suffix or 'a file without extension'!r}: "
                "use .svg, .png, .dot or .gv"
            )
        return path

    def to_graphviz(self):
        """The DOT text as a ``graphviz.Source`` (imports the graphviz package)."""
        import graphviz

        return graphviz.Source(self.source)

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = {"image/svg+xml": self.svg(), "text/plain": repr(self)}
            wanted = (not include or "image/png" in include) and not (
                exclude and "image/png" in exclude
            )
            png = (
                self.display_png() if wanted else None
            )  # a PNG costs a render: only when asked for
            if png is not None:
                bundle["image/png"] = png
        except Exception as error:  # never a traceback in a notebook: show the DOT and the fix
            message = (
                str(error)
                if isinstance(error, _render.RenderError)
                else f"Rendering failed ({type(error).__name__}: {error})."
            )
            bundle = {
                "text/plain": f"{self!r}\n{message}\n\n{self.source}",
                "text/html": _fallback_html(message, self.source),
            }
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def __repr__(self):
        m = self._model
        counts = m.counts
        if m.view == "data":
            tensors = sum(
                counts.get(k, 0) for k in ("input", "parameter", "intermediate", "output")
            )
            parts = [_plural(tensors, "tensor"), _plural(counts.get("op", 0), "operation")]
        else:
            parts = [
                _plural(counts.get("function", 0), "Function node"),
                _plural(counts.get("accumulate", 0), "AccumulateGrad node"),
            ]
            if counts.get("saved"):
                parts.append(_plural(counts["saved"], "saved value"))
        if m.hidden:
            parts.append(f"{m.hidden} more not shown")
        roots = ", ".join(m.root_names)
        if len(roots) > 60:
            roots = roots[:59] + _text.ELLIPSIS
        text = f"GraphPicture({m.view} view of {roots}: {', '.join(parts)}"
        if self.state is not None:
            marks = self._resolved()[0]
            text += "; " + ", ".join(
                f"{sum(1 for v in marks.values() if v == s)} {s}"
                for s in ("active", "done", "pending")
            )
        return text + ")"


def _plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def _describe(obj):
    if isinstance(obj, Tensor):
        return f"tensor of shape {_text.shape_text(obj.shape)}"
    name = getattr(obj, "name", None)
    if callable(name):
        return str(name())
    return repr(obj) if isinstance(obj, str) else type(obj).__name__


def _fallback_html(message, source):
    import html

    return (
        f'<div class="minigrad-graph-fallback"><p>{html.escape(message)}</p>'
        f"<pre>{html.escape(source)}</pre></div>"
    )


def _roots(root):
    if isinstance(root, Tensor):
        return [root]
    if isinstance(root, (list, tuple)) and root:
        for i, r in enumerate(root):
            if not isinstance(r, Tensor):
                raise TypeError(
                    f"draw_graph() root[{i}] is a {type(r).__name__}, not a minigrad Tensor"
                )
        return list(root)
    hint = ""
    if type(root).__module__.startswith("torch"):
        hint = " (a PyTorch tensor: draw minigrad tensors, e.g. after `import minigrad as torch`)"
    elif isinstance(root, (list, tuple)):
        hint = " (the list is empty)"
    raise TypeError(
        "draw_graph() needs a minigrad Tensor, or a list of Tensors, as root; got "
        f"{type(root).__name__}{hint}"
    )


def _names(names):
    if names is None:
        return []
    if not isinstance(names, Mapping):
        raise TypeError(
            "names= must be a mapping from name to tensor, such as dict(x=x, w=w) or "
            f"locals(); got {type(names).__name__}"
        )
    return [
        (k, v)
        for k, v in names.items()
        if isinstance(k, str) and not k.startswith("_") and isinstance(v, Tensor)
    ]


def draw_graph(
    root: Tensor | Sequence[Tensor],
    names: Mapping[str, Tensor] | None = None,
    *,
    view: str = "data",
    show_values: bool = False,
    show_grads: bool = False,
    show_saved: bool = False,
    direction: str = "TB",
    max_nodes: int = 150,
    state: GraphState | None = None,
    legend: bool = True,
    renderer: str | None = None,
    compact: bool = False,
) -> GraphPicture:
    """Draw the computational graph that produced ``root`` (a tensor or a list of tensors).

    - ``names``: ``{name: tensor}`` (``dict(x=x, w=w)`` or ``locals()``; other values and names
      starting with ``_`` are ignored) to label the boxes;
    - ``view="data"``: tensors as boxes, operations as ellipses (the tutorial's picture);
      ``view="autograd"``: what autograd keeps (grad_fn nodes, next_functions, AccumulateGrad);
    - ``show_values`` / ``show_grads`` / ``show_saved``: add values, ``.grad`` and saved values;
    - ``direction``: "TB" (the default: inputs at the top, the root at the bottom, as in every
      lesson; in the autograd view the arrows point up, the way gradients flow), "LR", "RL", "BT";
    - ``max_nodes``: bigger graphs keep the part nearest the root and say how much is left out
      (``None``: no limit);
    - ``state``: a ``GraphState`` to highlight (see ``GraphPicture.with_state``);
    - ``legend``: draw the legend under the graph;
    - ``compact``: autograd view only: each leaf drawn inside its ``AccumulateGrad`` box, and no
      separate box for the root tensor (its ``grad_fn`` stands for it): fewer rows, as the
      step widgets draw it;
    - ``renderer``: "pure" (graphviz-pure, the default), "system" (Graphviz's dot), "none", or
      a path; default from the MINIGRAD_DOT environment variable.
    """
    roots = _roots(root)
    named = _names(names)
    if view not in VIEWS:
        raise ValueError(f"view must be 'data' or 'autograd', got {view!r}")
    if not isinstance(direction, str) or direction.upper() not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 2
    ):
        raise ValueError(f"max_nodes must be an int >= 2 or None, got {max_nodes!r}")
    if state is not None and not isinstance(state, GraphState):
        raise TypeError(f"state must be a GraphState or None, got {type(state).__name__}")
    model = _model.build(
        roots,
        named,
        view,
        bool(show_values),
        bool(show_grads),
        bool(show_saved),
        max_nodes,
        bool(compact),
    )
    return GraphPicture(model, state, direction.upper(), bool(legend), renderer)
