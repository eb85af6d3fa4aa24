"""Every differentiable operation, one small ``Function`` subclass each.

Read any op top to bottom: its name as PyTorch prints it, the one-line derivative (``formula``),
``forward`` on numpy arrays, and ``backward`` written with minigrad ops (so it is differentiable too).
"""
from . import (activation, arithmetic, inplace, linalg, loss, reduction, selection, shape,  # noqa: F401
               statistics, unary)
