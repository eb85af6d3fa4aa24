"""The visual grammar: one style per kind of box, and the highlight styles of the step widgets.

Colours come from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies), always as filled backgrounds with black text on an explicit white page, so the
picture reads the same in JupyterLab's light and dark themes. Colour is never the only cue: each
kind also has its own shape or border, and tensor boxes carry their kind as a word.
"""

BACKGROUND = "#FFFFFF"
TEXT = "#000000"
EDGE = "#404040"
FONT = "Helvetica"

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
    "input": (dict(shape="box", style="filled", fillcolor=SKY_BLUE),
              "input", "leaf tensor that needs no gradient"),
    "parameter": (dict(shape="box", style="filled,bold", fillcolor=ORANGE, penwidth="2"),
                  "parameter", "leaf tensor with requires_grad=True"),
    "intermediate": (dict(shape="box", style="filled,rounded", fillcolor=LIGHT_GREY),
                     "intermediate", "tensor computed by an operation"),
    "output": (dict(shape="box", style="filled", fillcolor=BLUISH_GREEN, peripheries="2"),
               "output", "the root: what backward() starts from"),
    "op": (dict(shape="ellipse", style="filled", fillcolor=WHITE),
           "( op )", "operation of the forward pass"),
    "function": (dict(shape="box", style="filled,rounded", fillcolor=LIGHT_GREY),
                 "XxxBackward0", "Function node: a tensor's grad_fn"),
    "accumulate": (dict(shape="box", style="filled,rounded", fillcolor=REDDISH_PURPLE),
                   "AccumulateGrad", "adds the gradient into a leaf's .grad"),
    "saved": (dict(shape="box", style="filled,dashed", fillcolor=WHITE, fontsize="10"),
              "saved", "value kept by a node for its backward"),
    "note": (dict(shape="box", style="filled,dashed", fillcolor=WHITE),
             "…", "part of a big graph left out"),
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
LABELLED_EDGE = dict(penwidth="2", color=BLUE, fontcolor=TEXT)
