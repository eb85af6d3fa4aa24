"""A node that saves its own output (relu, sigmoid, tanh, exp, log_softmax, softmax) keeps it
packed, as PyTorch does: no reference cycle between node and output, and unpacking gives a new
tensor of that node, equal to the output but not it (PyTorch's autograd notes, "Saved tensors").
"""

import gc
import weakref

import numpy as np
import pytest

import minigrad
from engine_helpers import finite_differences

OUTPUT_SAVERS = {
    "relu": lambda T, x: T.relu(x),
    "sigmoid": lambda T, x: x.sigmoid(),
    "tanh": lambda T, x: x.tanh(),
    "exp": lambda T, x: x.exp(),
    "sqrt": lambda T, x: x.abs().sqrt(),
    "log_softmax": lambda T, x: T.nn.functional.log_softmax(x, 1),
    "softmax": lambda T, x: T.softmax(x, 1),
}


def _notes_example(T):
    """The autograd notes' example, as a student types it."""
    x = T.randn(5, requires_grad=True)
    y = x.pow(2)
    seen = [x.equal(y.grad_fn._saved_self), x is y.grad_fn._saved_self]
    x = T.randn(5, requires_grad=True)
    y = x.exp()
    result = y.grad_fn._saved_result
    seen += [y.equal(result), y is result, type(result.grad_fn).__name__, result.requires_grad]
    return seen


@pytest.mark.oracle
def test_the_autograd_notes_saved_tensors_example_prints_what_pytorch_prints(pt):
    assert (
        _notes_example(minigrad)
        == _notes_example(pt)
        == [
            True,
            True,
            True,
            False,
            "ExpBackward0",
            True,
        ]
    )


@pytest.mark.parametrize("op", sorted(OUTPUT_SAVERS))
def test_a_graph_dropped_without_backward_is_freed_at_once(op):
    """Evaluation without no_grad(): each batch's graph goes when its output goes, not when the
    cycle collector runs (it is switched off here to tell the two apart)."""
    x = minigrad.randn(4, 3, requires_grad=True)
    enabled = gc.isenabled()
    gc.disable()
    try:
        out = OUTPUT_SAVERS[op](minigrad, x)
        node, tensor = weakref.ref(out.grad_fn), weakref.ref(out)
        del out
        assert tensor() is None and node() is None
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("op", sorted(OUTPUT_SAVERS))
def test_second_derivatives_through_a_saved_output(op):
    """Under create_graph the unpacked output is a tensor of its node, so gradients of gradients
    flow through it: checked against finite differences of the first derivative."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 4)) + 0.1
    v = rng.standard_normal((3, 4))

    def first_derivative(values):
        x = minigrad.tensor(values, requires_grad=True)
        y = OUTPUT_SAVERS[op](minigrad, x)
        (g,) = minigrad.autograd.grad((y * minigrad.tensor(v)).sum(), x, create_graph=True)
        return g

    x = minigrad.tensor(a, requires_grad=True)
    y = OUTPUT_SAVERS[op](minigrad, x)
    (g,) = minigrad.autograd.grad((y * minigrad.tensor(v)).sum(), x, create_graph=True)
    (gg,) = minigrad.autograd.grad(g.sum(), x)
    (expected,) = finite_differences(lambda arrays: first_derivative(arrays[0]).sum().item(), [a])
    np.testing.assert_allclose(gg.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_a_changed_output_is_still_caught_and_named():
    x = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="which is output 0 of Exp, is at version 1"):
        y.sum().backward()


def test_the_stepper_still_shows_the_data_of_an_output_nobody_holds():
    """``total = MyExp.apply(x).sum()`` (lesson 9): the custom node's output is gone, but what it
    saved is its output, so the picture's box shows those values, as it did when the node kept
    the output tensor itself alive."""
    from minigrad.widgets.stepper import StepperModel

    class MyExp(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    x = minigrad.tensor([0.0, 1.0, -1.0], dtype=minigrad.float64, requires_grad=True)
    total = MyExp.apply(x).sum()
    node = total.grad_fn.next_functions[0][0]
    assert node.output() is None  # nothing holds the output tensor
    notes = StepperModel(total, names=dict(x=x, total=total)).notes(0)
    assert any("2.7183" in line for line in notes[node])
