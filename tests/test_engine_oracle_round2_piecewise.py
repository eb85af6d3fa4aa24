"""Second derivatives through piecewise-linear ops, against PyTorch: with create_graph=True the
first gradient of relu(x).sum() or abs(x).sum() requires grad (PyTorch keeps the op's input in
the gradient's formula), so the next autograd.grad returns zeros; through clamp, maximum,
minimum, max and min the first gradient of a plain sum is a constant (requires_grad=False), so
PyTorch's next grad raises, and minigrad's must raise the same error. Weighted by a function of
x, every one of them has a non-zero second derivative that must be PyTorch's."""

import numpy as np
import pytest

import minigrad

pytestmark = pytest.mark.oracle

OPS = {
    "relu": lambda T, x: T.relu(x),
    "relu_module": lambda T, x: T.nn.ReLU()(x),
    "relu_functional": lambda T, x: T.nn.functional.relu(x),
    "abs": lambda T, x: x.abs(),
    "clamp": lambda T, x: x.clamp(-0.5, 0.5),
    "clamp_min": lambda T, x: x.clamp(min=0.1),
    "clamp_max": lambda T, x: T.clamp(x, max=0.1),
    "maximum": lambda T, x: T.maximum(x, T.zeros(4, dtype=T.float64)),
    "maximum_ties": lambda T, x: T.maximum(x, x.detach()),
    "minimum": lambda T, x: T.minimum(x, x * 2),
    "max_all": lambda T, x: x.max(),
    "min_all": lambda T, x: x.min(),
    "max_dim": lambda T, x: x.reshape(2, 2).max(1)[0],
    "min_dim": lambda T, x: x.reshape(2, 2).min(0).values,
    "max_two": lambda T, x: T.max(x, T.ones(4, dtype=T.float64) * 0.2),
    "min_two": lambda T, x: T.min(x, T.zeros(4, dtype=T.float64)),
}
OUTER = {
    "sum": lambda T, x, y: y.sum(),
    "weighted": lambda T, x, y: (y * x.sum()).sum(),
    "squared": lambda T, x, y: (y**2).sum(),
}


def _second(T, op, outer):
    x = T.tensor([-1.0, 0.3, 2.0, 0.0], dtype=T.float64, requires_grad=True)
    (first,) = T.autograd.grad(OUTER[outer](T, x, OPS[op](T, x)), x, create_graph=True)
    described = (
        repr(first),
        first.requires_grad,
        type(first.grad_fn).__name__ if first.grad_fn is not None else None,
    )
    try:
        second = T.autograd.grad(
            (first * T.tensor([1.0, 2.0, 3.0, 4.0], dtype=T.float64)).sum(), x, allow_unused=True
        )
    except RuntimeError as error:
        return described, ("error", str(error))
    return described, ("value", None if second[0] is None else repr(second[0]))


@pytest.mark.parametrize("outer", sorted(OUTER))
@pytest.mark.parametrize("op", sorted(OPS))
def test_second_derivative_matches_pytorch(pt, op, outer):
    assert _second(minigrad, op, outer) == _second(pt, op, outer)


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_relu_and_abs_second_derivative_is_zero(op):
    (_, requires_grad, _), (kind, second) = _second(minigrad, op, "sum")
    assert requires_grad and kind == "value"
    assert second == repr(minigrad.zeros(4, dtype=minigrad.float64))


def test_second_derivative_of_weighted_relu_by_finite_differences():
    """d²/dx² Σ x·relu(x) = 2 where x > 0 (the first derivative, 2x there, differenced)."""
    x0 = np.array([-1.0, 0.3, 2.0, -0.4])

    def first(values):
        x = minigrad.tensor(values, requires_grad=True)
        (g,) = minigrad.autograd.grad((x * minigrad.relu(x)).sum(), x)
        return g.numpy()

    eps = 1e-6
    numeric = [
        (first(x0 + eps * e) - first(x0 - eps * e))[i] / (2 * eps) for i, e in enumerate(np.eye(4))
    ]
    x = minigrad.tensor(x0, requires_grad=True)
    (g,) = minigrad.autograd.grad((x * minigrad.relu(x)).sum(), x, create_graph=True)
    (h,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), numeric, atol=1e-6)
