"""The one way numbers are written in pictures, widget panels and exercise feedback.

Students read these next to each other (a box says ``data 2.0``, the arrow beside it ``6.0``, the
panel ``(-2.0) · (-3.0) = 6.0``), so every place uses these functions. Tensor *reprs* are not
written here: ``print(t)`` follows PyTorch's own rules (``minigrad/_printing.py``).

- ``number(v)``: at most 4 decimals, trailing zeros dropped, whole numbers as ``6.0``;
  scientific notation for the very large and the very small; ints and bools as they are.
- ``compact(values)``: a few numbers on one line, for an arrow or a box.
- ``block(values)``: every number of a small tensor in aligned rows; big ones abbreviated with
  ``…`` the way tensor reprs abbreviate them.
"""

import math

import numpy as np

ELLIPSIS = "…"


def number(value):
    """One number: ``6.0``, ``-0.3133``, ``0.5``, ``1.235e+06``, ``nan``; ints and bools unchanged."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-4):
        return f"{value:.3e}"
    text = f"{value:.4f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return "0.0" if text == "-0.0" else text


def array_of(values):
    """A numpy view of a tensor, array or number (``None`` stays ``None``)."""
    return None if values is None else np.asarray(values)


def shape_text(shape):
    """``[5, 3]``, as minigrad prints shapes in lists; a 0-d tensor is a ``scalar``."""
    if shape is None:
        return ""
    shape = tuple(shape)
    return "[" + ", ".join(str(int(d)) for d in shape) + "]" if shape else "scalar"


def compact(values, max_items=3):
    """A short one-line text: the number itself, ``[1.0, 2.0]``, or ``[5, 3] [0.1, 0.2, …]``."""
    a = array_of(values)
    if a is None:
        return ""
    if a.ndim == 0:
        return number(a.item())
    flat = a.reshape(-1)
    shown = ", ".join(number(v) for v in flat[:max_items].tolist())
    if flat.size <= max_items:
        return f"[{shown}]"
    return f"{shape_text(a.shape)} [{shown}, {ELLIPSIS}]"


def rows(values, max_rows=3, max_items=4):
    """A tensor's values as a few short lines (for inside a box): ``[1.0, 2.0, …]`` per row."""
    a = array_of(values)
    if a.ndim == 0:
        return [number(a.item())]
    if a.ndim != 2:
        a = a.reshape(1, -1)
    lines = [_row(r, max_items) for r in a[:max_rows]]
    if a.shape[0] > max_rows:
        lines.append(ELLIPSIS)
    return lines


def _row(values, limit):
    items = [number(v) for v in values[:limit].tolist()]
    if len(values) > limit:
        items.append(ELLIPSIS)
    return "[" + ", ".join(items) + "]"


def block(values, max_rows=6, max_cols=6):
    """Every value of a small tensor in aligned rows; the corners with ``…`` for big ones.
    More than 2 dims: the first values and the shape."""
    a = array_of(values)
    if a is None:
        return "None"
    if a.ndim == 0:
        return number(a.item())
    if a.ndim > 2:
        flat = a.reshape(-1)
        shown = ", ".join(number(v) for v in flat[:max_cols].tolist())
        more = f", {ELLIPSIS}" if flat.size > max_cols else ""
        return f"[{shown}{more}]  (shape {shape_text(a.shape)})"
    if a.ndim == 1:
        return (
            "["
            + ", ".join(
                number(a[i]) if i is not None else ELLIPSIS for i in _pick(a.shape[0], max_cols)
            )
            + "]"
        )
    picked_rows, picked_cols = _pick(a.shape[0], max_rows), _pick(a.shape[1], max_cols)
    cells = [
        [number(a[r, c]) if r is not None and c is not None else ELLIPSIS for c in picked_cols]
        for r in picked_rows
    ]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join("  ".join(c.rjust(width) for c in row) for row in cells)


def _pick(n, limit):
    """Indices to show out of ``n``: all, or the first and last few with ``None`` for ``…``."""
    if n <= limit:
        return list(range(n))
    head = (limit + 1) // 2
    return list(range(head)) + [None] + list(range(n - (limit - head), n))
