"""Label text: escaping for DOT/HTML-like labels and short renderings of shapes and values.

Graphviz treats text in two passes (its own backslash escapes like ``\\N`` = node name come after
entity decoding), so user text goes through ``html`` below and nowhere else: ``<``, ``>``, ``&``
and quotes become entities, and a backslash is followed by an invisible WORD JOINER so that no
backslash sequence survives to the second pass. The result shows the text literally.
"""

from .._format import ELLIPSIS, number, rows as value_lines, shape_text  # noqa: F401 (values: one formatter)

MAX_NAME = 40  # longer names are cut (a label should not be wider than the graph)


def clean(text, limit=None):
    """Printable one-line text: control characters shown as escapes, long text cut."""
    text = str(text)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        text = "".join(c if 32 <= ord(c) != 127 else repr(c)[1:-1] for c in text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text


_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "&#92;&#8288;",
}


def html(text):
    """Escape plain text for a Graphviz HTML-like label or a quoted attribute (tooltips)."""
    text = clean(text)
    if any(c in _ENTITIES for c in text):
        text = "".join(_ENTITIES.get(c, c) for c in text)
    return text
