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


def _label(title, lines, tag=None, notes=()):
    rows = []
    if tag:
        rows.append(_SMALL.format(f"<B>{_text.html(tag)}</B>"))
    if title:
        rows.append(f"<B>{_text.html(title)}</B>")
    rows.extend(_SMALL.format(_text.html(line)) for line in lines if line)
    rows.extend(_SMALL.format(f"<I>{_text.html(n)}</I>") for n in notes)
    return "<BR/>".join(rows) if rows else " "


def _legend(view, kinds_present, states_present, caption, legend):
    rows = []
    if caption:
        rows.append(f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>{_text.html(caption)}</B></TD></TR>')
    if legend:
        entries = [k for k in _style.LEGEND_KINDS[view]]
        entries += [k for k in ("saved", "note") if k in kinds_present]
        cells = []
        for kind in entries:
            attrs, swatch, meaning = _style.KINDS[kind]
            style = ' STYLE="rounded"' if "rounded" in attrs["style"] or kind == "op" else ""
            cells.append(f'<TD BGCOLOR="{attrs["fillcolor"]}" BORDER="1"{style}>'
                         f'{_text.html(swatch)}</TD>'
                         f'<TD ALIGN="LEFT">{_text.html(meaning)}</TD>')
        for state in _style.STATE_ORDER:
            if state in states_present:
                attrs, tag, meaning = _style.STATES[state]
                cells.append(f'<TD BGCOLOR="{attrs["fillcolor"]}" BORDER="1">{_text.html(tag)}</TD>'
                             f'<TD ALIGN="LEFT">{_text.html(meaning)}</TD>')
        for i in range(0, len(cells), 2):
            rows.append("<TR>" + "".join(cells[i:i + 2]) + "</TR>")
        rows.append(f'<TR><TD COLSPAN="4" ALIGN="LEFT">{_text.html(_style.EDGE_MEANING[view])}'
                    "</TD></TR>")
    if not rows:
        return None
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
            + "".join(rows) + "</TABLE>")


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
        for obj in getattr(state, name):
            box = model.resolve(obj)
            if box is not None:
                marks[box] = name
    for obj, text in state.notes:
        box = model.resolve(obj)
        if box is not None:
            notes.setdefault(box, []).append(str(text))
    for (a, b), text in state.edge_labels:
        ends_a, ends_b = model.ends(a), model.ends(b)
        for i, arrow in enumerate(model.arrows):
            if ((arrow.tail in ends_a and arrow.head in ends_b)
                    or (arrow.tail in ends_b and arrow.head in ends_a)):
                labels[i] = str(text)
                break
    return marks, notes, labels


def write(model, state=None, direction="LR", legend=True):
    marks, notes, labels = resolve_state(model, state)
    caption = getattr(state, "caption", "") if state is not None else ""
    out = ["digraph minigrad {"]
    graph = [("rankdir", direction), ("bgcolor", _style.BACKGROUND), ("pad", "0.2"),
             ("nodesep", "0.25"), ("ranksep", "0.35"), ("fontname", _style.FONT),
             ("fontsize", "11"), ("fontcolor", _style.TEXT), ("class", f"mg-graph mg-{model.view}")]
    graph += _layout_limits(len(model.boxes))
    table = _legend(model.view, model.counts, set(marks.values()), caption, legend)
    if table:
        graph += [("labelloc", "b"), ("labeljust", "l"), ("label", table)]
    out.append("  graph " + _attrs(graph) + ";")
    out.append("  node " + _attrs([("fontname", _style.FONT), ("fontsize", "12"),
                                   ("fontcolor", _style.TEXT), ("color", _style.TEXT),
                                   ("margin", "0.12,0.05"), ("height", "0.3")]) + ";")
    out.append("  edge " + _attrs([("color", _style.EDGE), ("fontname", _style.FONT),
                                   ("fontsize", "10"), ("fontcolor", _style.TEXT),
                                   ("arrowsize", "0.7")]) + ";")
    for box in model.boxes:
        attrs = dict(_style.KINDS[box.kind][0])
        mark = marks.get(box.id)
        tag = None
        classes = f"mg-{box.kind}"
        if mark:
            state_attrs, tag, _ = _style.STATES[mark]
            attrs.update(state_attrs)
            if mark == "pending" and "dashed" not in attrs["style"]:
                attrs["style"] += ",dashed"
            classes += f" mg-{mark}"
        pairs = [("label", _label(box.title, box.lines, tag, notes.get(box.id, ()))),
                 ("tooltip", _text.html(box.tooltip)), ("class", classes)]
        pairs += sorted(attrs.items())
        out.append(f"  {box.id} " + _attrs(pairs) + ";")
    for i, arrow in enumerate(model.arrows):
        pairs = list(_style.EDGE_STYLES[arrow.kind].items())
        pairs.append(("class", f"mg-{arrow.kind}"))
        if i in labels:
            pairs.append(("label", _SMALL.format(_text.html(labels[i]))))
            pairs += sorted(_style.LABELLED_EDGE.items())
        out.append(f"  {arrow.tail} -> {arrow.head} " + _attrs(pairs) + ";")
    out.append("}")
    return "\n".join(out) + "\n"
