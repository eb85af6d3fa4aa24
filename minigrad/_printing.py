"""Print tensors exactly as PyTorch does.

The rules (measured against PyTorch 2.x):
- floats get 4 decimals; if every value is a whole number they print as ``1.``;
- scientific notation is used when the largest |value| is over 1e8, or the ratio of largest to
  smallest non-zero |value| is over 1000, or (for non-integer data) the smallest is under 1e-4;
- every element is right-aligned to the widest one, lines wrap at 80 characters;
- tensors with more than 1000 elements are summarised with 3 items at each edge and ``...``.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._dtype import bool_, get_default_dtype, int64


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None  # None: decide from the data, True/False: force


OPTIONS = PrintOptions()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Same knobs as ``torch.set_printoptions``."""
    if profile == "default":
        OPTIONS.__init__()
    elif profile == "short":
        OPTIONS.__init__(precision=2, threshold=1000, edgeitems=2)
    elif profile == "full":
        OPTIONS.__init__(threshold=math.inf)
    if precision is not None:
        OPTIONS.precision = precision
    if threshold is not None:
        OPTIONS.threshold = threshold
    if edgeitems is not None:
        OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        OPTIONS.linewidth = linewidth
    OPTIONS.sci_mode = sci_mode


class _ElementFormat:
    """Decides, from all values that will be shown, one format and one width for every element."""

    def __init__(self, values, is_float):
        self.is_float = is_float
        self.sci = False
        self.whole = True
        self.width = 1
        flat = values.reshape(-1)
        if not is_float:
            self.width = max([len(_plain(v)) for v in flat.tolist()] or [1])
            return
        shown = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        low, high = magnitudes.min(), magnitudes.max()
        self.whole = bool(np.all(shown == np.ceil(shown)))
        if OPTIONS.sci_mode is None:
            self.sci = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        else:
            self.sci = OPTIONS.sci_mode
        p = OPTIONS.precision
        if self.sci:
            texts, extra = [f"{v:.{p}e}" for v in shown.tolist()], 0
        elif self.whole:
            texts, extra = [f"{v:.0f}" for v in shown.tolist()], 1  # room for the trailing "."
        else:
            texts, extra = [f"{v:.{p}f}" for v in shown.tolist()], 0
        self.width = max(len(t) for t in texts) + extra

    def __call__(self, value):
        if not self.is_float:
            text = _plain(value)
        elif self.sci:
            text = f"{value:{self.width}.{OPTIONS.precision}e}"
        elif self.whole:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{OPTIONS.precision}f}"
        return text.rjust(self.width)


def _plain(value):
    return str(value)  # ints print as ints, bools as True/False


def _edges(a, summarize):
    """The values that will actually be printed (used to size the columns)."""
    if not summarize or a.ndim == 0:
        return a
    e = OPTIONS.edgeitems
    if a.shape[0] > 2 * e:
        a = np.concatenate([a[:e], a[-e:]])
    if a.ndim == 1:
        return a
    return np.stack([_edges(row, summarize) for row in a])


def _rows(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt(a.item())
    e = OPTIONS.edgeitems
    cut = summarize and a.shape[0] > 2 * e
    if a.ndim == 1:
        if cut:
            items = [fmt(v) for v in a[:e].tolist()] + [" ..."] + [fmt(v) for v in a[-e:].tolist()]
        else:
            items = [fmt(v) for v in a.tolist()]
        per_line = max(1, (OPTIONS.linewidth - indent) // (fmt.width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    index = (
        list(range(e)) + [None] + list(range(a.shape[0] - e, a.shape[0]))
        if cut
        else range(a.shape[0])
    )
    parts = ["..." if i is None else _rows(a[i], indent + 1, summarize, fmt) for i in index]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_data(a, is_float, indent):
    """The bracketed body of a tensor's repr (no prefix, no suffixes)."""
    if a.size == 0:
        return "[]"
    summarize = a.size > OPTIONS.threshold
    fmt = _ElementFormat(_edges(a, summarize), is_float)
    return _rows(a, indent, summarize, fmt)


def _join_suffixes(body, suffixes, indent):
    out = [body]
    last_line = len(body) - body.rfind("\n") + 1
    for s in suffixes:
        if last_line + len(s) + 2 > OPTIONS.linewidth:
            out.append(",\n" + " " * indent + s)
            last_line = indent + len(s)
        else:
            out.append(", " + s)
            last_line += len(s) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t):
    """``tensor([...], dtype=..., grad_fn=<...>)`` as PyTorch writes it."""
    prefix = "tensor("
    indent = len(prefix)
    a = t._array
    d = t.dtype
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if d is not get_default_dtype():
            suffixes.append("dtype=" + repr(d))
        body = "[]"
    else:
        if d not in (get_default_dtype(), int64, bool_):
            suffixes.append("dtype=" + repr(d))
        body = format_data(a, d.is_floating_point, indent)
    if t.grad_fn is not None:
        suffixes.append(
            f"grad_fn=<{type(t.grad_fn).__name__}>"
        )  # the class name, as PyTorch prints it
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _join_suffixes(prefix + body, suffixes, indent)
