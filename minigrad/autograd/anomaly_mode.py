"""Anomaly detection: find the forward line behind a failing backward.

While it is on (``detect_anomaly()`` or ``set_detect_anomaly(True)``), every graph node made by
the forward pass keeps the Python stack that created it (``node.metadata["traceback_"]``).
During backward, when a node fails (an error, or with ``check_nan`` a gradient holding NaN),
a UserWarning first names that node and prints the forward stack, then the error is raised:

    UserWarning: Error detected in LogBackward0. Traceback of forward call that caused the error:
      File "train.py", line 9, in <module>
        y = x.log()
    RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.

It costs a stack capture per op, so it is for debugging only (hence the warning on entering).
"""

import os
import traceback
import warnings

import numpy as np

from . import function as _function


class _State:
    enabled = False
    check_nan = True


STATE = _State()

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # minigrad/
_ENABLED_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and "
    "should only be enabled for debugging."
)


def is_anomaly_enabled():
    return STATE.enabled


def is_anomaly_check_nan_enabled():
    return STATE.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """``torch.set_anomaly_enabled``: the switch itself, without a context manager."""
    _set(enabled, check_nan)


class _StackRecorder:
    """Watches the forward pass as ``record_forward`` does, keeping each node's creation stack."""

    @staticmethod
    def _record(node, output):
        node.metadata["traceback_"] = _user_stack()


_RECORDER = _StackRecorder()


def _set(enabled, check_nan):
    STATE.enabled, STATE.check_nan = bool(enabled), bool(check_nan)
    recorders = _function._recorders
    if STATE.enabled and _RECORDER not in recorders:
        recorders.append(_RECORDER)
    elif not STATE.enabled and _RECORDER in recorders:
        recorders.remove(_RECORDER)


def _user_stack():
    """The stack as ``traceback.format_stack`` writes it, without minigrad's own innermost frames
    (PyTorch's ops run in C++, so its stack ends at the user's line)."""
    frames = traceback.extract_stack()[:-1]
    while frames and frames[-1].filename.startswith(_PACKAGE):
        frames.pop()
    return traceback.format_list(frames)


class detect_anomaly:
    """``with torch.autograd.detect_anomaly():`` turns anomaly detection on inside the block
    (``check_nan=False``: only errors are reported, NaN gradients pass)."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._previous = None
        warnings.warn(_ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self):
        self._previous = STATE.enabled, STATE.check_nan
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self._previous)
        return False


class set_detect_anomaly:
    """``set_detect_anomaly(True)`` turns it on at once (and back as it was when used with ``with``)."""

    def __init__(self, mode, check_nan=True):
        self._previous = STATE.enabled, STATE.check_nan
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self._previous)
        return False


# -- what the engine calls ----------------------------------------------------------------------
def check_gradients(node, outgoing):
    """With NaN checking on: refuse a node's gradients that hold NaN (PyTorch's message)."""
    if not STATE.check_nan:
        return
    for i, g in enumerate(outgoing):
        if g is not None and np.isnan(getattr(g, "_array", g)).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def report(node):
    """Before the error of a failing node propagates: the warning naming its forward call."""
    stack = node.metadata.get("traceback_")
    if stack is None:  # made before anomaly detection was switched on
        return
    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the "
        f"error:\n{''.join(stack)}",
        UserWarning,
        stacklevel=_first_outside_minigrad(),
    )


def _first_outside_minigrad():
    """The stacklevel that makes a warning point at the caller's line (backward(), grad())."""
    frames = traceback.extract_stack()[:-2]  # without this helper and report()
    level = 2
    while frames and frames[-1].filename.startswith(_PACKAGE):
        frames.pop()
        level += 1
    return level


def modified_hint():
    """The sentence PyTorch ends its "modified by an inplace operation" error with."""
    if STATE.enabled:
        return (
            "Hint: the backtrace further above shows the operation that failed to compute "
            "its gradient. The variable in question was changed in there or anywhere later. "
            "Good luck!"
        )
    return (
        "Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )
