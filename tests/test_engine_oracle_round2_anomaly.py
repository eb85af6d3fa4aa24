"""Anomaly detection against PyTorch: the switches, the warning naming the forward call that made
a failing node (its stack compared line for line), the NaN error, and the hint that ends the
modified-by-an-inplace-operation error in both modes.

PyTorch's warning ends with "(Triggered internally at <C++ file>)", which minigrad leaves out
(README: differences); everything before it must be identical.
"""

import warnings

import numpy as np
import pytest

import minigrad

pytestmark = pytest.mark.oracle

_SUFFIX = " (Triggered internally at "


@pytest.fixture(autouse=True)
def _anomaly_off_after(pt):
    yield
    minigrad.autograd.set_detect_anomaly(False)
    pt.autograd.set_detect_anomaly(False)


def _user_warnings(caught):
    """The UserWarnings (numpy's RuntimeWarnings about nan arithmetic are not compared), with
    PyTorch's C++ suffix cut off."""
    texts = [str(c.message) for c in caught if c.category is UserWarning]
    return [t[: t.index(_SUFFIX)] if _SUFFIX in t else t for t in texts]


def _run(T, body):
    """``body(T)``'s error (type, message) or result, and the UserWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = body(T)
        except Exception as error:  # noqa: BLE001 (type and message are compared)
            outcome = (type(error), str(error))
    return outcome, _user_warnings(caught)


def _log_forward(T, x):
    return x.log()  # the forward call the warning must name


def _nan_backward(T):
    x = T.tensor([0.0, 1.0], requires_grad=True)
    x.grad = T.tensor([5.0, 5.0])
    y = _log_forward(T, x)
    try:
        (y * 0).sum().backward()
    except RuntimeError:
        assert x.grad.tolist() == [5.0, 5.0]  # the failed backward wrote nothing
        raise
    return repr(x.grad)


def test_switches_match_pytorch(pt):
    def body(T):
        seen = [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
        guard = T.autograd.detect_anomaly()
        seen.append(T.is_anomaly_enabled())  # not yet: the block turns it on
        with guard:
            seen += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
            with T.autograd.detect_anomaly(check_nan=False):
                seen += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
            seen += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
        seen.append(T.is_anomaly_enabled())
        T.autograd.set_detect_anomaly(True, check_nan=False)  # at once
        seen += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
        T.autograd.set_detect_anomaly(False)
        seen += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
        with T.autograd.set_detect_anomaly(True):
            seen.append(T.is_anomaly_enabled())
        seen.append(T.is_anomaly_enabled())
        T.set_anomaly_enabled(True)
        seen.append(T.is_anomaly_enabled())
        T.set_anomaly_enabled(False)
        try:
            with T.autograd.detect_anomaly():
                raise KeyError("inside")
        except KeyError:
            seen.append(T.is_anomaly_enabled())  # restored after an error too
        return seen

    assert _run(minigrad, body) == _run(pt, body)


def test_detect_anomaly_is_no_decorator_in_pytorch_2_13(pt):
    def body(T):
        @T.autograd.detect_anomaly()
        def f():
            return 1

    mine, theirs = _run(minigrad, body), _run(pt, body)
    assert mine == theirs and mine[0][0] is TypeError


def test_nan_gradient_raises_after_naming_the_forward_call(pt):
    def body(T):
        with T.autograd.detect_anomaly():
            return _nan_backward(T)

    mine, theirs = _run(minigrad, body), _run(pt, body)
    assert mine == theirs
    outcome, (entered, detected) = mine
    assert outcome == (
        RuntimeError,
        "Function 'LogBackward0' returned nan values in its 0th output.",
    )
    assert detected.startswith(
        "Error detected in LogBackward0. Traceback of forward call that caused the error:\n"
    )
    assert detected.endswith("    return x.log()  # the forward call the warning must name\n")


def test_without_anomaly_mode_nan_just_flows(pt):
    mine, theirs = _run(minigrad, _nan_backward), _run(pt, _nan_backward)
    assert theirs == ("tensor([nan, 5.])", [])
    assert mine == theirs


def test_check_nan_false_lets_nan_through(pt):
    def body(T):
        with T.autograd.detect_anomaly(check_nan=False):
            return _nan_backward(T)

    assert _run(minigrad, body) == _run(pt, body)


def test_nodes_keep_their_forward_stack_only_in_anomaly_mode(pt):
    def body(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        before = _log_forward(T, x).grad_fn.metadata
        T.autograd.set_detect_anomaly(True)
        inside = _log_forward(T, x).grad_fn.metadata
        T.autograd.set_detect_anomaly(False)
        return before, inside

    mine, theirs = _run(minigrad, body), _run(pt, body)
    assert mine == theirs
    assert list(mine[0][1]) == ["traceback_"] and mine[0][1]["traceback_"][-1].endswith("name\n")


def _second_of_two(T, x):
    return x * 1, x.sqrt()


@pytest.mark.parametrize("how", ["backward", "grad", "grad_create_graph"])
def test_the_failing_node_is_the_one_named(pt, how):
    def body(T):
        with T.autograd.detect_anomaly():
            x = T.tensor([0.0, 1.0], requires_grad=True)
            a, b = _second_of_two(T, x)
            loss = (a * b * 0).sum()
            if how == "backward":
                loss.backward()
            else:
                T.autograd.grad(loss, x, create_graph=how == "grad_create_graph")

    mine, theirs = _run(minigrad, body), _run(pt, body)
    assert mine == theirs
    assert mine[0] == (
        RuntimeError,
        "Function 'SqrtBackward0' returned nan values in its 0th output.",
    )


def test_a_custom_functions_nan_is_reported_by_output_index(pt):
    def body(T):
        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx, u, v):
                return u + v

            @staticmethod
            def backward(ctx, g):
                return g, g * float("nan")

        with T.autograd.detect_anomaly():
            x = T.tensor([0.0, 1.0], requires_grad=True)
            Twice.apply(x, x * 2).sum().backward()

    (mine, [_, my_warning]), (theirs, [_, their_warning]) = _run(minigrad, body), _run(pt, body)
    assert (
        mine
        == theirs
        == (RuntimeError, "Function 'TwiceBackward' returned nan values in its 1th output.")
    )
    # PyTorch's stack ends in its own Python apply(); the user's line before it is the same
    assert their_warning.startswith(my_warning)
    assert my_warning.endswith("Twice.apply(x, x * 2).sum().backward()\n")


def _modified(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def test_inplace_error_hint_without_anomaly_mode(pt):
    mine, theirs = _run(minigrad, _modified), _run(pt, _modified)
    assert mine == theirs
    assert mine[0][1].endswith(
        "instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def test_inplace_error_in_anomaly_mode_names_the_forward_call(pt):
    def body(T):
        with T.autograd.detect_anomaly():
            _modified(T)

    mine, theirs = _run(minigrad, body), _run(pt, body)
    assert mine == theirs
    (_, message), (_, detected) = mine
    assert message.endswith(
        "instead. Hint: the backtrace further above shows the operation that "
        "failed to compute its gradient. The variable in question was changed "
        "in there or anywhere later. Good luck!"
    )
    assert detected.startswith("Error detected in SigmoidBackward0.")
    assert detected.endswith("    y = x.sigmoid()\n")


def test_both_warnings_point_at_the_users_line():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with minigrad.autograd.detect_anomaly():
            y = x.log()
            with np.errstate(all="ignore"), pytest.raises(RuntimeError):
                (y * 0).sum().backward()
    entered, detected = [c for c in caught if c.category is UserWarning]
    assert "Anomaly Detection has been enabled" in str(entered.message)
    assert entered.filename == detected.filename == __file__
