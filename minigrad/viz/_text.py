"""Label text: escaping for DOT/HTML-like labels and short renderings of shapes and values.

Graphviz treats text in two passes (its own backslash escapes like ``\\N`` = node name come after
entity decoding), so user text goes through ``html`` below and nowhere else: ``<``, ``>``, ``&``
and quotes become entities, and a backslash is followed by an invisible WORD JOINER so that no
backslash sequence survives to the second pass. The result shows the text literally.
"""
import math

import numpy as np

ELLIPSIS = "…"
MAX_NAME = 40  # longer names are cut (a label should not be wider than the graph)


def clean(text, limit=None):
    """Printable one-line text: control characters shown as escapes, long text cut."""
    text = str(text)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        text = "".join(c if 32 <= ord(c) != 127 else repr(c)[1:-1] for c in text)
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + ELLIPSIS
    return text


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
             "\\": "&#92;&#8288;"}


def html(text):
    """Escape plain text for a Graphviz HTML-like label or a quoted attribute (tooltips)."""
    text = clean(text)
    if any(c in _ENTITIES for c in text):
        text = "".join(_ENTITIES.get(c, c) for c in text)
    return text


def shape_text(shape):
    """``[5, 3]`` as minigrad prints shapes in lists; a 0-d tensor is a ``scalar``."""
    if shape is None:
        return ""
    shape = tuple(shape)
    if not shape:
        return "scalar"
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def number(value):
    """One number with 4 decimals (``-0.0000`` printed as ``0.0000``), ints and bools as they are."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


def _row(values, limit):
    items = [number(v) for v in values[:limit]]
    if len(values) > limit:
        items.append(ELLIPSIS)
    return "[" + ", ".join(items) + "]"


def value_lines(values, limit=4, rows=3):
    """A tensor's values in a few short lines: the first ``limit`` numbers of the first ``rows``
    rows, then ``…``. Big tensors stay small in the picture."""
    a = np.asarray(values)
    if a.ndim == 0:
        return [number(a.item())]
    if a.ndim == 1:
        return [_row(a, limit)]
    if a.ndim == 2:
        lines = [_row(r, limit) for r in a[:rows]]
        if a.shape[0] > rows:
            lines.append(ELLIPSIS)
        return lines
    return [_row(a.reshape(-1), limit)]
