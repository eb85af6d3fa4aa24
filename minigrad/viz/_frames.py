"""One layout, many highlight states: the pictures of a step widget, which never move.

Graphviz places boxes by their sizes, so a picture redrawn with other text in its boxes (a
gradient that became known, a marker that moved) would shift under the student's eyes. Instead
the graph is laid out *once*, with every box and every arrow label as wide as it ever gets over
all the states, and each state's picture is that SVG with its texts and colours replaced. That
is also fast: a step costs a few string substitutions, not a Graphviz run.

What is replaced, per box: each text line (the state marker, notes such as ``grad 6.0``), the
fill and the outline; per arrow: its label and its colour. Positions and sizes never change.
"""

import functools
import html
import re

from . import _dot, _render, _style

_CHUNK = re.compile(r"<!-- .*? -->\n")
_GROUP = re.compile(r'<g id="(node|edge)(\d+)" class="([^"]*)">')
_TITLE = re.compile(r"<title>(.*?)</title>")
_TEXT = re.compile(r"(<text\b[^>]*>)(.*?)(</text>)", re.S)
_SHAPE = re.compile(r"<(polygon|path|ellipse)\b([^>]*?)/>")
_ATTR = re.compile(r'\s(fill|stroke|stroke-width|stroke-dasharray)="[^"]*"')
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")
_X = re.compile(r'\sx="[^"]*"')
_ANCHOR = re.compile(r'\stext-anchor="[^"]*"')


@functools.lru_cache(maxsize=4096)
def _width(text):
    """A rough width of ``text`` in Helvetica (capitals and digits wider than small letters):
    only used to pick, among the texts a line takes, the one to lay the box out with."""
    return sum(0.67 if c.isupper() or c in "mwMW@⊗" else 0.56 if c.isdigit() else 0.5 for c in text)


class Frames:
    """The pictures of ``states`` (``GraphState``s) of one graph ``model``, laid out once.

    ``frame(i)`` is the SVG text of state ``i``; ``layout_source`` the DOT laid out. Raises
    ``RenderError`` (from ``frame``) when no renderer works, as ``GraphPicture.svg`` does.
    """

    def __init__(self, model, states, direction="TB", renderer=None):
        self.model, self.direction, self.renderer = model, direction, renderer
        self._states = [_dot.resolve_state(model, s) for s in states]
        self._rows = [
            {b.id: _dot.box_rows(b, marks.get(b.id), notes.get(b.id, ())) for b in model.boxes}
            for marks, notes, _ in self._states
        ]
        self.layout_rows = self._widest_rows()
        self.layout_labels = self._widest_labels()
        self.layout_source = _dot.document(
            model, direction, None, {}, self.layout_rows, self.layout_labels
        )
        self._svg = None
        self._cache = {}
        self._chunks = {}  # (box id, state, rows) or (arrow, label) -> its restyled SVG text
        self._boxes = {b.id: b for b in model.boxes}

    def __len__(self):
        return len(self._states)

    # -- the layout: every line as wide as it ever gets ------------------------------------------
    def _widest_rows(self):
        """Per box, the rows of the layout: each row the widest text it ever has (a state with
        fewer rows leaves the rest empty)."""
        layout = {}
        for box in self.model.boxes:
            every = [rows[box.id] for rows in self._rows]
            widest = []
            for k in range(max(len(r) for r in every)):
                texts = [r[k] for r in every if k < len(r)]
                text = max(sorted({t for _, t in texts}), key=_width)
                if text:
                    widest.append((texts[0][0], text))
            layout[box.id] = widest
        return layout

    def _widest_labels(self):
        labels = {}
        for _, _, state_labels in self._states:
            for i, text in state_labels.items():
                if _width(text) > _width(labels.get(i, "")):
                    labels[i] = text
        return labels

    # -- one state ---------------------------------------------------------------------------------
    def svg_layout(self):
        if self._svg is None:
            self._svg = _render.render(self.layout_source, "svg", self.renderer).decode("utf-8")
            self._parts = _split(self._svg)
        return self._svg

    def frame(self, i):
        """The SVG of state ``i``: the layout with this state's texts and colours."""
        if i in self._cache:
            return self._cache[i]
        self.svg_layout()
        marks, _, labels = self._states[i]
        boxes = self._boxes
        out = []
        for kind, key, classes, chunk in self._parts:
            if kind == "node" and key in boxes:
                mark, rows = marks.get(key), self._rows[i][key]
                cached = self._chunks.get((key, mark, tuple(rows)))
                if cached is None:  # a box looks the same in most steps: restyle it once per look
                    cached = self._restyle_box(chunk, classes, boxes[key], mark, rows)
                    self._chunks[(key, mark, tuple(rows))] = cached
                chunk = cached
            elif kind == "edge":
                n = int(key) - 1
                cached = self._chunks.get((n, labels.get(n)))
                if cached is None:
                    cached = self._chunks[(n, labels.get(n))] = self._restyle_arrow(
                        chunk, classes, n, labels
                    )
                chunk = cached
            out.append(chunk)
        svg = "".join(out)
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[i] = svg
        return svg

    def _restyle_box(self, chunk, classes, box, mark, rows):
        attrs = _dot.box_attributes(box.kind, mark)
        # the layout's text elements are its rows, in order: each gets this state's row
        texts = iter([t for _, t in rows])
        center = _center_x(chunk)

        def text(m):
            new = next(texts, "")
            start = m.group(1)
            if center is not None and _ANCHOR.search(start):
                start = _X.sub(f' x="{center:.2f}"', _ANCHOR.sub(' text-anchor="middle"', start))
            return start + html.escape(new, quote=False) + m.group(3)

        chunk = _TEXT.sub(text, chunk)
        chunk = _restyle_shapes(
            chunk,
            attrs.get("fillcolor"),
            attrs.get("color", _style.TEXT),
            attrs.get("penwidth", "1"),
            "dashed" in attrs.get("style", ""),
        )
        base = " ".join(
            c
            for c in html.unescape(classes).split()
            if c not in ("mg-active", "mg-done", "mg-pending")
        )
        return chunk.replace(
            f'class="{classes}"', f'class="{base}{" mg-" + mark if mark else ""}"', 1
        )

    def _restyle_arrow(self, chunk, classes, i, labels):
        text = labels.get(i)
        if i in self.layout_labels:  # the arrow was laid out with a label: show it or hide it

            def patch(m):
                return m.group(1) + html.escape(text or "", quote=False) + m.group(3)

            chunk = _TEXT.sub(patch, chunk, count=1)
            chunk = _show_patch(chunk, text is not None)
        if text is not None:
            style = _style.LABELLED_EDGE
            chunk = _restyle_lines(chunk, style["color"], style["penwidth"])
        elif i in self.layout_labels:  # laid out as a labelled arrow: back to a plain one
            chunk = _restyle_lines(chunk, _style.EDGE, "1")
        return chunk


def _split(svg):
    """The SVG as ``[(kind, key, classes, text)]``: ``kind`` is "node" (key: its DOT id), "edge"
    (key: its number, in DOT order) or "" for everything else."""
    parts, position = [], 0
    for m in _CHUNK.finditer(svg):
        parts.append(("", "", "", svg[position : m.end()]))
        position = m.end()
    parts.append(("", "", "", svg[position:]))
    result = []
    for _, _, _, text in parts:
        group = _GROUP.match(text)
        if not group:
            result.append(("", "", "", text))
            continue
        kind, number, classes = group.groups()
        key = number
        if kind == "node":
            title = _TITLE.search(text)
            key = html.unescape(title.group(1)) if title else ""
        result.append((kind, key, classes, text))  # classes as written (hyphens escaped)
    return result


def _center_x(chunk):
    """The horizontal centre of a box's first shape (texts are re-centred on it)."""
    m = _SHAPE.search(chunk)
    if not m:
        return None
    attrs = m.group(2)
    if m.group(1) == "ellipse":
        cx = re.search(r'\scx="([^"]+)"', attrs)
        return float(cx.group(1)) if cx else None
    points = re.search(r'\s(?:points|d)="([^"]+)"', attrs)
    if not points:
        return None
    xs = [float(v) for v in _NUMBERS.findall(points.group(1))[0::2]]
    return (min(xs) + max(xs)) / 2 if xs else None


def _set(attrs, fill=None, stroke=None, width=None, dashed=None):
    kept = _ATTR.sub("", attrs)
    extra = ""
    if fill is not None:
        extra += f' fill="{fill}"'
    if stroke is not None:
        extra += f' stroke="{stroke}"'
    if width is not None and str(width) != "1":
        extra += f' stroke-width="{width}"'
    if dashed:
        extra += ' stroke-dasharray="5,2"'
    return extra + kept


def _restyle_shapes(chunk, fill, stroke, width, dashed):
    """The box's first shape gets the fill; every outline the stroke (``peripheries=2`` has two)."""
    count = [0]

    def patch(m):
        tag, attrs = m.group(1), m.group(2)
        old_fill = re.search(r'\sfill="([^"]*)"', attrs)
        old_stroke = re.search(r'\sstroke="([^"]*)"', attrs)
        first = count[0] == 0
        count[0] += 1
        new_fill = fill if first and fill else (old_fill.group(1) if old_fill else None)
        outlined = old_stroke is not None and old_stroke.group(1) not in ("none", "transparent")
        if outlined:
            return f"<{tag}" + _set(attrs, new_fill, stroke, width, dashed) + "/>"
        return f"<{tag}" + _set(attrs, new_fill, "none") + "/>"

    head, sep, rest = chunk.partition("<text")
    return _SHAPE.sub(patch, head) + sep + rest


def _restyle_lines(chunk, colour, width):
    """An arrow's line and head in ``colour`` (the white label patch keeps its own fill)."""

    def patch(m):
        tag, attrs = m.group(1), m.group(2)
        old_fill = re.search(r'\sfill="([^"]*)"', attrs)
        fill = old_fill.group(1) if old_fill else None
        if (fill and fill.lower() == _style.LABEL_PATCH.lower()) or "data-mg-patch" in attrs:
            return m.group(0)  # the patch behind the label keeps its own look
        new_fill = colour if fill not in (None, "none") else "none"
        return f"<{tag}" + _set(attrs, new_fill, colour, width) + "/>"

    return _SHAPE.sub(patch, chunk)


def _show_patch(chunk, visible):
    """Show or hide the white patch behind an arrow's label."""
    patch_fill = f'fill="{_style.LABEL_PATCH.lower()}"'
    if visible:
        return chunk.replace('fill="none" data-mg-patch="1"', patch_fill)
    return chunk.replace(patch_fill, 'fill="none" data-mg-patch="1"')
