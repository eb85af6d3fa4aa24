"""Write a ``Model`` (plus an optional highlight state) as DOT text.

Everything is written in a fixed order with attributes in a fixed order, so the same graph and
state give byte-identical DOT. All visible text goes through HTML-like labels escaped by
``_text.html``; the legend is the graph's label (a table under the picture), so it never
disturbs the layout of the graph itself.
"""

from . import _style, _text

_SMALL = '<FONT POINT-SIZE="10">{}</FONT>'


def _attrs(pairs):
    parts = []
    for key, value in pairs:
        if key == "label":
            parts.append(f"label=<{value}>")
        else:
            parts.append(f'{key}="{value}"')
    return "[" + ", ".join(parts) + "]"


def edge_label(text):
    """Text along an arrow, on a small white patch (readable on light and dark pages)."""
    return (
        f'<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1" CELLSPACING="0" '
        f'BGCOLOR="{_style.LABEL_PATCH}"><TR><TD>{_SMALL.format(_text.html(text))}</TD></TR></TABLE>'
    )


def box_rows(box, mark=None, notes=()):
    """A box's label as rows ``(style, text)``: title, lines, notes; a highlighted box's first
    row starts with its state's marker (► running, ● done, ○ waiting: never colour alone)."""
    rows = []
    if box.title:
        rows.append(("title", box.title))
    rows.extend(("line", line) for line in box.lines if line)
    rows.extend(("note", n) for n in notes)
    if mark and rows:
        style, text = rows[0]
        rows[0] = (style, f"{_style.STATES[mark][1].split()[0]} {text}")
    elif mark:
        rows.append(("title", _style.STATES[mark][1]))
    return rows


_ROW_FORMAT = {"title": "<B>{}</B>", "line": _SMALL, "note": _SMALL.format("<I>{}</I>")}


def label_of(rows):
    """The HTML-like label of ``box_rows``: one text line per row."""
    return "<BR/>".join(_ROW_FORMAT[style].format(_text.html(text)) for style, text in rows) or " "


def _legend(view, kinds_present, states_present, caption, legend):
    rows = []
    if caption:
        rows.append(f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>{_text.html(caption)}</B></TD></TR>')
    if legend:
        entries = list(_style.LEGEND_KINDS[view])
        entries += [k for k in ("saved", "note") if k in kinds_present]
        cells = []
        for kind in entries:
            attrs, swatch, meaning = _style.KINDS[kind]
            style = ' STYLE="rounded"' if "rounded" in attrs["style"] or kind == "op" else ""
            cells.append(
                f'<TD BGCOLOR="{attrs["fillcolor"]}" BORDER="1"{style}>'
                f'<FONT COLOR="{_style.TEXT}">{_text.html(swatch)}</FONT></TD>'
                f'<TD ALIGN="LEFT">{_text.html(meaning)}</TD>'
            )
        for state in _style.STATE_ORDER:
            if state in states_present:
                attrs, tag, meaning = _style.STATES[state]
                cells.append(
                    f'<TD BGCOLOR="{attrs["fillcolor"]}" BORDER="1">'
                    f'<FONT COLOR="{_style.TEXT}">{_text.html(tag)}</FONT></TD>'
                    f'<TD ALIGN="LEFT">{_text.html(meaning)}</TD>'
                )
        for i in range(0, len(cells), 2):
            rows.append("<TR>" + "".join(cells[i : i + 2]) + "</TR>")
        rows.append(
            f'<TR><TD COLSPAN="4" ALIGN="LEFT">{_text.html(_style.EDGE_MEANING[view])}</TD></TR>'
        )
    if not rows:
        return None
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>"
    )


def _layout_limits(n):
    """Cap dot's network-simplex passes on big graphs: a 300-box layout drops from ~0.4 s to
    ~0.1 s and a 900-box one from minutes to ~1 s. Small graphs keep the full (best) layout."""
    if n <= 100:
        return []
    limit = "2" if n <= 400 else "1"
    return [("nslimit", limit), ("nslimit1", limit)]


def resolve_state(model, state):
    """Map a ``GraphState`` onto box ids: ``({box: state}, {box: [notes]}, {arrow index: text})``.
    Objects that are not in the picture are ignored (a capped picture may hide them)."""
    marks, notes, labels = {}, {}, {}
    if state is None:
        return marks, notes, labels
    for name in reversed(_style.STATE_ORDER):  # active wins over done wins over pending
        for obj in state.items(name):
            box = model.resolve(obj)
            if box is not None:
                marks[box] = name
    for obj, text in state.notes:
        box = model.resolve(obj)
        if box is not None:  # one line of text, or several
            lines = text if isinstance(text, (list, tuple)) else (text,)
            notes.setdefault(box, []).extend(str(t) for t in lines)
    by_edge = {}
    for i, arrow in enumerate(model.arrows):
        if arrow.edge is not None:
            by_edge[(id(arrow.edge[0]), arrow.edge[1])] = i
    for (a, b), text in state.edge_labels:
        if isinstance(b, int) and not isinstance(b, bool):  # (node, i): next_functions[i] of node
            i = by_edge.get((id(a), b))
            if i is not None:
                labels[i] = str(text)
            continue
        ends_a, ends_b = model.ends(a), model.ends(b)
        for i, arrow in enumerate(model.arrows):
            if (arrow.tail in ends_a and arrow.head in ends_b) or (
                arrow.tail in ends_b and arrow.head in ends_a
            ):
                labels[i] = str(text)
                break
    return marks, notes, labels


def write(model, state=None, direction="LR", legend=True):
    marks, notes, labels = resolve_state(model, state)
    caption = state.caption if state is not None else ""
    table = _legend(model.view, model.counts, set(marks.values()), caption, legend)
    rows = {box.id: box_rows(box, marks.get(box.id), notes.get(box.id, ())) for box in model.boxes}
    return document(model, direction, table, marks, rows, labels)


def document(model, direction, legend_table, marks, rows, labels):
    """The DOT text: ``rows`` (box id -> ``box_rows``) are the labels, ``marks`` (box id ->
    state) the highlights, ``labels`` (arrow index -> text) the texts along arrows."""
    out = ["digraph minigrad {"]
    graph = [
        ("rankdir", direction),
        ("bgcolor", _style.BACKGROUND),
        ("pad", "0.2"),
        ("nodesep", "0.25"),
        ("ranksep", "0.35"),
        ("fontname", _style.FONT),
        ("fontsize", "11"),
        ("fontcolor", _style.FREE_TEXT),
        ("class", f"mg-graph mg-{model.view}"),
    ]
    graph += _layout_limits(len(model.boxes))
    if legend_table:
        graph += [("labelloc", "b"), ("labeljust", "l"), ("label", legend_table)]
    out.append("  graph " + _attrs(graph) + ";")
    out.append(
        "  node "
        + _attrs(
            [
                ("fontname", _style.FONT),
                ("fontsize", "12"),
                ("fontcolor", _style.TEXT),
                ("color", _style.TEXT),
                ("margin", "0.12,0.05"),
                ("height", "0.3"),
            ]
        )
        + ";"
    )
    out.append(
        "  edge "
        + _attrs(
            [
                ("color", _style.EDGE),
                ("fontname", _style.FONT),
                ("fontsize", "10"),
                ("fontcolor", _style.TEXT),
                ("arrowsize", "0.7"),
            ]
        )
        + ";"
    )
    for box in model.boxes:
        attrs = box_attributes(box.kind, marks.get(box.id))
        classes = f"mg-{box.kind}" + (f" mg-{marks[box.id]}" if box.id in marks else "")
        pairs = [
            ("label", label_of(rows[box.id])),
            ("tooltip", _text.html(box.tooltip)),
            ("class", classes),
        ]
        pairs += sorted(attrs.items())
        out.append(f"  {box.id} " + _attrs(pairs) + ";")
    for i, arrow in enumerate(model.arrows):
        pairs = list(_style.EDGE_STYLES[arrow.kind].items())
        pairs.append(("class", f"mg-{arrow.kind}"))
        if i in labels:
            pairs.append(("label", edge_label(labels[i])))
            pairs += sorted(_style.LABELLED_EDGE.items())
        out.append(f"  {arrow.tail} -> {arrow.head} " + _attrs(pairs) + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def box_attributes(kind, mark=None):
    """DOT node attributes of a box of ``kind`` in highlight state ``mark`` (or none)."""
    attrs = dict(_style.KINDS[kind][0])
    if mark:
        attrs.update(_style.STATES[mark][0])
        if mark == "pending" and "dashed" not in attrs["style"]:
            attrs["style"] += ",dashed"
    return attrs
