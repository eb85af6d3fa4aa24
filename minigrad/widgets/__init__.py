"""Widgets for watching autograd in JupyterLab.

- ``BackwardStepper(loss)``: replay the real backward pass node by node (changes no ``.grad``);
- ``AccumulationExplorer(out, inputs, gradient)``: call backward / ``zero_()`` on real tensors and
  watch ``.grad`` accumulate (and the freed-graph error without ``retain_graph``);
- ``with ForwardRecorder() as rec:``: record the graph a forward pass builds, then step through it.

Each widget is a plain-Python model (``StepperModel`` in stepper.py, ``AccumulationModel``,
``RecorderModel``: all the logic, testable without a browser) plus a thin ipywidgets view beside it
(stepper_view.py, accumulation_view.py, recorder_view.py). What the views share: _html.py (HTML
and controls), _stepping.py (stepping, keys, picture cache); what the models share: _common.py.
``defaults(size="large")`` sets the size (and view) of every widget built afterwards.
ipywidgets and the picture package are imported only when a widget is built.
"""

from .accumulation import AccumulationExplorer, AccumulationModel, Entry  # noqa: F401
from .recorder import ForwardRecorder, RecorderModel  # noqa: F401
from ._settings import defaults  # noqa: F401
from .stepper import BackwardStepper, ChainLine, StepperModel  # noqa: F401

__all__ = [
    "BackwardStepper",
    "AccumulationExplorer",
    "ForwardRecorder",
    "defaults",
    "StepperModel",
    "AccumulationModel",
    "RecorderModel",
    "Entry",
    "ChainLine",
]
