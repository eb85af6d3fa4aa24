"""Every op's gradient against central finite differences (float64, hypothesis-drawn shapes).

First derivatives are checked through both of the engine's paths: the plain backward (formulas
run on numpy arrays) and ``create_graph=True`` (the same formulas run on tensors). Second
derivatives (gradients of gradients) are checked against finite differences of the first
gradient. The oracle is minigrad's *forward* only, perturbed one element at a time.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_cases import CASES
from engine_helpers import (
    examples,
    check_first_derivatives,
    check_second_derivatives,
    finite_differences,
)

NAMES = sorted(CASES)
SMOOTH = sorted(name for name, (_, smooth) in CASES.items() if smooth)


def test_every_op_of_the_acceptance_list_has_a_case():
    required = {
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "add_scalar",
        "radd_scalar",
        "sub_scalar",
        "rsub_scalar",
        "mul_scalar",
        "rmul_scalar",
        "div_scalar",
        "rdiv_scalar",
        "pow_scalar",
        "pow_tensor",
        "rpow_scalar",
        "matmul_1d_1d",
        "matmul_2d_2d",
        "matmul_batched",
        "matmul_broadcast_batched",
        "vector_matrix",
        "matrix_vector",
        "exp",
        "log",
        "sqrt",
        "abs",
        "sin",
        "cos",
        "tanh",
        "sigmoid",
        "relu",
        "clamp",
        "sum",
        "mean",
        "max",
        "min",
        "t",
        "transpose",
        "permute",
        "reshape",
        "view",
        "squeeze",
        "unsqueeze",
        "expand",
        "index_basic",
        "index_advanced",
        "index_bool_mask",
        "setitem_nonleaf",
        "cat",
        "stack",
        "softmax",
        "log_softmax",
        "binary_cross_entropy_with_logits",
        "binary_cross_entropy",
        "mse_loss",
        "cross_entropy_indices",
        "cross_entropy_probabilities",
        "nll_loss",
        "linear",
    }
    assert required <= set(CASES)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_gradient_matches_finite_differences(name, data, seed):
    case = data.draw(CASES[name][0], label="case")
    check_first_derivatives(case.fn, case.arrays, np.random.default_rng(seed))


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=examples(0.5))
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_second_derivative_matches_finite_differences(name, data, seed):
    case = data.draw(CASES[name][0], label="case")
    check_second_derivatives(case.fn, case.arrays, np.random.default_rng(seed))


# -- the checker itself must be able to fail ----------------------------------------------------
class _WrongSin(minigrad.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.sin()

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos() * 1.01  # 1% off


class _WrongSecondDerivative(minigrad.autograd.Function):
    """x³ with a gradient that is right in value but detached (so its own derivative is 0)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (3 * a.data**2).detach().clone()


def test_first_order_checker_detects_a_wrong_gradient():
    with pytest.raises(AssertionError):
        check_first_derivatives(
            lambda T, a: _WrongSin.apply(a), [np.array([0.3, -1.2])], np.random.default_rng(0)
        )


def test_second_order_checker_detects_a_gradient_without_graph():
    check_first_derivatives(
        lambda T, a: _WrongSecondDerivative.apply(a),
        [np.array([0.5, 1.5])],
        np.random.default_rng(0),
    )  # first order is right ...
    with pytest.raises(AssertionError):  # ... the second is not
        check_second_derivatives(
            lambda T, a: _WrongSecondDerivative.apply(a),
            [np.array([0.5, 1.5])],
            np.random.default_rng(0),
        )


def test_finite_differences_of_a_known_function():
    (g,) = finite_differences(lambda arrs: float(np.sum(arrs[0] ** 3)), [np.array([1.0, -2.0])])
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)


# -- second derivatives by hand (autograd.grad twice) -------------------------------------------
def test_grad_twice_by_hand():
    x = minigrad.tensor([0.5, -1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = (x**3 + x.sin() * x).sum()
    (g,) = minigrad.autograd.grad(y, x, create_graph=True)
    xv = x.detach().numpy()
    np.testing.assert_allclose(g.detach().numpy(), 3 * xv**2 + np.cos(xv) * xv + np.sin(xv))
    (h,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * xv - np.sin(xv) * xv + 2 * np.cos(xv))


def test_third_derivative_of_exp_and_log():
    x = minigrad.tensor(0.7, dtype=minigrad.float64, requires_grad=True)
    y = (2 * x).exp() + x.log()
    (d1,) = minigrad.autograd.grad(y, x, create_graph=True)
    (d2,) = minigrad.autograd.grad(d1, x, create_graph=True)
    (d3,) = minigrad.autograd.grad(d2, x)
    assert d1.item() == pytest.approx(2 * np.exp(1.4) + 1 / 0.7)
    assert d2.item() == pytest.approx(4 * np.exp(1.4) - 1 / 0.49)
    assert d3.item() == pytest.approx(8 * np.exp(1.4) + 2 / 0.343)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_puts_a_differentiable_grad_in_leaf():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    np.testing.assert_allclose(x.grad.detach().numpy(), [3.0, 12.0])
    (h,) = minigrad.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])
