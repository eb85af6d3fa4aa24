"""Pictures of the computational graph.

>>> picture = draw_graph(loss, dict(x=x, w=w, b=b, y=y, z=z, loss=loss))   # displays as SVG
>>> draw_graph(loss, locals(), view="autograd", show_saved=True)          # what autograd keeps
>>> picture.with_state(GraphState(active=loss.grad_fn))                   # highlight a step

Rendering uses ``graphviz-pure`` (pip-installable, identical output everywhere); without any
renderer a picture shows its DOT text and how to fix it. Neither this package nor
``import minigrad`` imports the ``graphviz`` Python package.
"""

from ._frames import Frames  # noqa: F401
from ._render import RenderError, configure_graphviz, find_renderer  # noqa: F401
from ._style import legend_entries  # noqa: F401
from .picture import GraphPicture, PictureEdge, PictureNode, draw_graph  # noqa: F401
from .state import GraphState  # noqa: F401

__all__ = [
    "draw_graph",
    "GraphPicture",
    "GraphState",
    "PictureNode",
    "PictureEdge",
    "Frames",
    "RenderError",
    "configure_graphviz",
    "find_renderer",
    "legend_entries",
]
