"""The engine's own guard rails (not PyTorch behaviour): what it does when a built-in op is
written wrongly, so that the mistake shows where it is made."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import Function


class _NumpyInsideBackward(Function):
    """A built-in-style op whose backward calls numpy directly: right for a plain backward, but
    under create_graph it would cut the gradient's own graph."""

    node_name = "BrokenBackward0"
    label = "broken"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        return a * 2.0

    @staticmethod
    def backward(ctx, grad):
        return np.multiply(
            np.asarray(grad._array if isinstance(grad, minigrad.Tensor) else grad), 2.0
        )


def test_a_plain_backward_accepts_numpy_arrays():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    _NumpyInsideBackward.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_numpy_inside_a_builtin_backward_fails_loudly_under_create_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x.grad = minigrad.tensor([5.0, 5.0])
    y = _NumpyInsideBackward.apply(x).sum()
    with pytest.raises(
        RuntimeError,
        match="BrokenBackward0's backward returned a numpy array under create_graph=True",
    ):
        minigrad.autograd.grad(y, x, create_graph=True)
    with pytest.raises(RuntimeError, match="numpy array under create_graph=True"):
        y.backward(create_graph=True)
    assert x.grad.tolist() == [5.0, 5.0]  # nothing half-written
