"""The visual grammar: one style per kind of box, and the highlight styles of the step widgets.

Colours come from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies). Pictures have a transparent background, so they sit on JupyterLab's light and
dark themes alike: every box is filled (black text on its own colour), every label along an
arrow sits on a small white patch, lines are a mid grey, and the little free text (the legend) is
a grey readable on white and on near-black. Colour is never the only cue: each kind also has its
own shape or border, tensor boxes carry their kind as a word, and highlight states a marker.
"""

BACKGROUND = "transparent"
TEXT = "#000000"  # on filled boxes and white patches only
FREE_TEXT = "#767676"  # text drawn straight on the page: ≥ 4.5:1 on white, ≈ 4.3:1 on #111111
EDGE = "#808080"
FONT = "Helvetica"
LABEL_PATCH = "#FFFFFF"

# Okabe–Ito
SKY_BLUE = "#56B4E9"
ORANGE = "#E69F00"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
REDDISH_PURPLE = "#CC79A7"
LIGHT_GREY = "#E6E6E6"
WHITE = "#FFFFFF"
DONE_FILL = "#BFD9EE"  # a pale tint of Okabe–Ito blue

# kind -> (DOT node attributes, legend swatch text, legend description)
KINDS = {
    "input": (
        dict(shape="box", style="filled", fillcolor=SKY_BLUE),
        "input",
        "leaf tensor that needs no gradient",
    ),
    "parameter": (
        dict(shape="box", style="filled,bold", fillcolor=ORANGE, penwidth="2"),
        "parameter",
        "leaf tensor with requires_grad=True",
    ),
    "intermediate": (
        dict(shape="box", style="filled,rounded", fillcolor=LIGHT_GREY),
        "intermediate",
        "tensor computed by an operation",
    ),
    "output": (
        dict(shape="box", style="filled", fillcolor=BLUISH_GREEN, peripheries="2"),
        "output",
        "the root: what backward() starts from",
    ),
    "op": (
        dict(shape="ellipse", style="filled", fillcolor=WHITE),
        "( op )",
        "operation of the forward pass",
    ),
    "function": (
        dict(shape="box", style="filled,rounded", fillcolor=LIGHT_GREY),
        "XxxBackward0",
        "Function node: a tensor's grad_fn",
    ),
    "accumulate": (
        dict(shape="box", style="filled,rounded", fillcolor=REDDISH_PURPLE),
        "AccumulateGrad",
        "adds the gradient into a leaf's .grad",
    ),
    "saved": (
        dict(shape="box", style="filled,dashed", fillcolor=WHITE, fontsize="10"),
        "saved",
        "value kept by a node for its backward",
    ),
    "note": (
        dict(shape="box", style="filled,dashed", fillcolor=WHITE),
        "…",
        "part of a big graph left out",
    ),
}

# how tensor boxes name their kind in the label (text, so colour is not the only cue)
KIND_WORDS = {"input": "input", "parameter": "parameter", "output": "output"}

LEGEND_KINDS = {
    "data": ("input", "parameter", "intermediate", "output", "op"),
    "autograd": ("parameter", "output", "function", "accumulate"),
}
EDGE_MEANING = {
    "data": "Arrows: data flow of the forward pass.",
    "autograd": "Arrows: references kept by autograd (grad_fn, next_functions, .variable); "
    "gradients flow along them.",
}

# highlight states: fill + outline width + a text marker (never colour alone). The markers are
# glyphs the renderer's bundled fonts have (► ● ○), so PNG exports show them too.
STATES = {
    "active": (dict(fillcolor=YELLOW, penwidth="4", color=TEXT), "► active", "running now"),
    "done": (dict(fillcolor=DONE_FILL, penwidth="2.5", color=BLUE), "● done", "finished"),
    "pending": (dict(fillcolor=WHITE, penwidth="1", color=EDGE), "○ pending", "still to run"),
}
STATE_ORDER = ("active", "done", "pending")

EDGE_STYLES = {
    "data": dict(),
    "next": dict(dir="back"),
    "grad_fn": dict(dir="back"),
    "variable": dict(dir="back"),
    "saved": dict(dir="back", style="dashed"),
    "more": dict(style="dashed"),
}
LABELLED_EDGE = dict(penwidth="2.5", color=BLUE, fontcolor=TEXT)


def legend_entries(view):
    """The key of a picture, for a legend drawn outside it (the widgets'): ``(swatch text,
    fill colour, rounded, meaning)`` for each kind of box of ``view``, then each highlight."""
    entries = []
    for kind in LEGEND_KINDS[view]:
        attrs, swatch, meaning = KINDS[kind]
        entries.append(
            (swatch, attrs["fillcolor"], "rounded" in attrs["style"] or kind == "op", meaning)
        )
    for state in STATE_ORDER:
        attrs, tag, meaning = STATES[state]
        entries.append((tag, attrs["fillcolor"], False, meaning))
    entries.append(("→ 0.25", LABEL_PATCH, False, "the gradient sent along an arrow"))
    return entries
