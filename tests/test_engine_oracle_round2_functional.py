"""``torch.autograd.functional`` against PyTorch and finite differences: vjp, jvp, jacobian,
hessian, vhp, hvp (values, return structures for one input or a tuple, create_graph, strict,
and every error message)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples

pytestmark = pytest.mark.oracle


def _outcome(f):
    try:
        r = f()
    except Exception as error:  # noqa: BLE001 (the type and message are what is compared)
        return type(error), str(error)
    return repr(r)


def _f1(x):
    return (x.sin() * x**2).sum()


def _f2(x, y):
    return x.exp().sum() * (y**3).sum() + (x[:2] * y[0]).sum()


def _pair(x, y):
    return x * 2, y.sum() * x


# Each case builds its tensors from T and calls T.autograd.functional; printed results (values,
# nesting, grad_fn names), or exception type and message, must be PyTorch's.
CASES = {
    "hessian_single": lambda T, F, x, y, o: F.hessian(_f1, x),
    "hessian_tuple": lambda T, F, x, y, o: F.hessian(_f2, (x, y)),
    "hessian_one_tuple": lambda T, F, x, y, o: F.hessian(_f1, (x,)),
    "hessian_create_graph_constant": lambda T, F, x, y, o: F.hessian(_f1, x, create_graph=True),
    "hessian_create_graph": lambda T, F, x, y, o: F.hessian(
        _f1, x.clone().requires_grad_(), create_graph=True
    ),
    "hessian_unused_input": lambda T, F, x, y, o: F.hessian(lambda a, b: (a**2).sum(), (x, y)),
    "hessian_not_scalar": lambda T, F, x, y, o: F.hessian(lambda a: a * 2, x),
    "hessian_tuple_output": lambda T, F, x, y, o: F.hessian(lambda a: (a, a), x),
    "hessian_strict_linear": lambda T, F, x, y, o: F.hessian(lambda a: a.sum() * 2, x, strict=True),
    "hessian_strict_quadratic": lambda T, F, x, y, o: F.hessian(
        lambda a: (a**2).sum(), x, strict=True
    ),
    "hessian_strict_unused": lambda T, F, x, y, o: F.hessian(
        lambda a, b: (a**2).sum(), (x, y), strict=True
    ),
    "hessian_strategy": lambda T, F, x, y, o: F.hessian(
        lambda a: a.sum(), x, outer_jacobian_strategy="foo"
    ),
    "hessian_relu_is_zero": lambda T, F, x, y, o: F.hessian(lambda a: a.relu().sum(), x),
    "hessian_abs_create_graph": lambda T, F, x, y, o: F.hessian(
        lambda a: a.abs().sum(), x.clone().requires_grad_(), create_graph=True
    ),
    "hvp": lambda T, F, x, y, o: F.hvp(_f1, x, o(3)),
    "hvp_tuple": lambda T, F, x, y, o: F.hvp(_f2, (x, y), (o(3), o(2, 2))),
    "hvp_create_graph": lambda T, F, x, y, o: F.hvp(
        _f1, x.clone().requires_grad_(), o(3), create_graph=True
    ),
    "hvp_linear": lambda T, F, x, y, o: F.hvp(lambda a: a.sum(), x, o(3)),
    "hvp_strict_linear": lambda T, F, x, y, o: F.hvp(lambda a: a.sum(), x, o(3), strict=True),
    "hvp_not_scalar": lambda T, F, x, y, o: F.hvp(lambda a: a, x, o(3)),
    "hvp_v_none": lambda T, F, x, y, o: F.hvp(_f1, x),
    "hvp_v_none_scalar": lambda T, F, x, y, o: F.hvp(
        lambda a: a**3, T.tensor(2.0, dtype=T.float64)
    ),
    "vhp_tuple": lambda T, F, x, y, o: F.vhp(_f2, (x, y), (o(3), o(2, 2))),
    "vhp_tuple_output": lambda T, F, x, y, o: F.vhp(lambda a: (a,), x, o(3)),
    "vhp_strict_create_graph": lambda T, F, x, y, o: F.vhp(
        lambda a: (a**2).sum(), x, o(3), strict=True, create_graph=True
    ),
    "vhp_strict_quadratic": lambda T, F, x, y, o: F.vhp(
        lambda a: (a**2).sum(), x, o(3), strict=True
    ),
    "vhp_bad_v": lambda T, F, x, y, o: F.vhp(_f1, x, o(2)),
    "jvp": lambda T, F, x, y, o: F.jvp(lambda a: a**2, x, o(3)),
    "jvp_tuple": lambda T, F, x, y, o: F.jvp(_pair, (x, y), (o(3), o(2, 2))),
    "jvp_create_graph": lambda T, F, x, y, o: F.jvp(
        lambda a: a**2, x.clone().requires_grad_(), o(3), create_graph=True
    ),
    "jvp_v_none": lambda T, F, x, y, o: F.jvp(lambda a: a, x),
    "jvp_v_none_scalar": lambda T, F, x, y, o: F.jvp(lambda a: a * 2, T.tensor(2.0)),
    "jvp_strict_unused": lambda T, F, x, y, o: F.jvp(
        lambda a, b: a * 2, (x, y), (o(3), o(2, 2)), strict=True
    ),
    "vjp_tuple": lambda T, F, x, y, o: F.vjp(_pair, (x, y), (o(3), o(3))),
    "vjp_create_graph_constant": lambda T, F, x, y, o: F.vjp(_f1, x, create_graph=True),
    "vjp_create_graph": lambda T, F, x, y, o: F.vjp(
        _f1, x.clone().requires_grad_(), create_graph=True
    ),
    "vjp_unused": lambda T, F, x, y, o: F.vjp(lambda a, b: a * 2, (x, y), o(3)),
    "vjp_strict_unused": lambda T, F, x, y, o: F.vjp(lambda a, b: a * 2, (x, y), o(3), strict=True),
    "vjp_strict_constant": lambda T, F, x, y, o: F.vjp(
        lambda a: T.ones(2), x, T.ones(2), strict=True
    ),
    "vjp_list_inputs": lambda T, F, x, y, o: F.vjp(lambda a: a, [x]),
    "vjp_number_input": lambda T, F, x, y, o: F.vjp(lambda a: a, (x, 3)),
    "vjp_number_output": lambda T, F, x, y, o: F.vjp(lambda a: 3, x),
    "vjp_bad_size": lambda T, F, x, y, o: F.vjp(lambda a: a, x, T.ones(2)),
    "vjp_bad_size_tuple": lambda T, F, x, y, o: F.vjp(
        lambda a, b: (a, b), (x, y), (T.ones(3), T.ones(2))
    ),
    "vjp_v_for_one_of_two": lambda T, F, x, y, o: F.vjp(lambda a, b: (a, b), (x, y), T.ones(3)),
    "vjp_two_v_for_one": lambda T, F, x, y, o: F.vjp(lambda a: a, x, (o(3), o(3))),
    "vjp_v_none": lambda T, F, x, y, o: F.vjp(lambda a: a * 2, x),
    "jacobian_tuple": lambda T, F, x, y, o: F.jacobian(_pair, (x, y)),
    "jacobian_create_graph": lambda T, F, x, y, o: F.jacobian(
        lambda a: a.exp(), x.clone().requires_grad_(), create_graph=True
    ),
    "jacobian_strict_constant": lambda T, F, x, y, o: F.jacobian(
        lambda a: T.ones(2), x, strict=True
    ),
    "jacobian_strict_unused": lambda T, F, x, y, o: F.jacobian(
        lambda a, b: a * 2, (x, y), strict=True
    ),
    "jacobian_strategy": lambda T, F, x, y, o: F.jacobian(lambda a: a, x, strategy="foo"),
    "jacobian_forward_mode": lambda T, F, x, y, o: F.jacobian(
        lambda a: a, x, strategy="forward-mode"
    ),
    "jacobian_empty_output": lambda T, F, x, y, o: F.jacobian(lambda a: a[:0], x),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("grad_enabled", [True, False])
def test_functional_matches_pytorch(pt, name, grad_enabled):
    def run(T):
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64)
        y = T.tensor([[1.0, 2.0], [0.3, -0.4]], dtype=T.float64)
        with T.set_grad_enabled(grad_enabled):
            return _outcome(
                lambda: CASES[name](
                    T, T.autograd.functional, x, y, lambda *s: T.ones(*s, dtype=T.float64)
                )
            )

    assert run(minigrad) == run(pt)


def test_create_graph_results_are_differentiable_with_respect_to_the_callers_tensors(pt):
    """hessian(create_graph=True) of Σx³ is diag(6x): its sum's gradient is 6 everywhere."""
    seen = []
    for T in (minigrad, pt):
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
        h = T.autograd.functional.hessian(lambda a: (a**3).sum(), x, create_graph=True)
        _, hv = T.autograd.functional.hvp(
            lambda a: (a**3).sum(), x, T.ones(3, dtype=T.float64), create_graph=True
        )
        (g1,) = T.autograd.grad(h.sum(), x)
        (g2,) = T.autograd.grad(hv.sum(), x)
        seen.append((g1.tolist(), g2.tolist(), x.grad))
    assert seen[0] == seen[1] == ([6.0] * 3, [6.0] * 3, None)


# -- finite differences --------------------------------------------------------------------------
def _smooth(T, kind):
    return {
        "poly": lambda a: (a**3).sum() + (a[..., :1] * a).sum(),
        "trig": lambda a: (a.sin() * a.cos().exp()).sum(),
        "mixed": lambda a: ((a * a).sum() + 1).log() * a.tanh().sum(),
        "softmax": lambda a: (
            a.reshape(-1).softmax(0) * T.arange(a.numel(), dtype=T.float64)
        ).sum(),
    }[kind]


SHAPES = st.sampled_from([(1,), (3,), (2, 2), (2, 3)])
KINDS = st.sampled_from(["poly", "trig", "mixed", "softmax"])


def _gradient(f, x):
    """The first derivative as minigrad's (first-order, separately tested) jacobian gives it."""
    return minigrad.autograd.functional.jacobian(f, minigrad.tensor(x)).numpy()


@settings(max_examples=examples(1.0))
@given(shape=SHAPES, kind=KINDS, seed=st.integers(0, 2**32 - 1))
def test_hessian_is_the_finite_difference_of_the_gradient(shape, kind, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.2, 1.2, shape)
    f = _smooth(minigrad, kind)
    h = minigrad.autograd.functional.hessian(f, minigrad.tensor(x)).numpy()
    assert h.shape == shape + shape
    eps = 1e-6
    numeric = np.empty(shape + shape)
    for k in np.ndindex(shape):
        step = np.zeros(shape)
        step[k] = eps
        numeric[(...,) + k] = (_gradient(f, x + step) - _gradient(f, x - step)) / (2 * eps)
    np.testing.assert_allclose(h, numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.reshape(x.size, x.size), h.reshape(x.size, x.size).T, atol=1e-12)


@settings(max_examples=examples(1.0))
@given(shape=SHAPES, kind=KINDS, seed=st.integers(0, 2**32 - 1))
def test_products_are_finite_differences_along_v(shape, kind, seed):
    """hvp = vhp = (∇f(x + εv) - ∇f(x - εv)) / 2ε; jvp of the gradient map gives the same."""
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(-1.2, 1.2, shape), rng.standard_normal(shape)
    f = _smooth(minigrad, kind)
    F = minigrad.autograd.functional
    eps = 1e-6
    numeric = (_gradient(f, x + eps * v) - _gradient(f, x - eps * v)) / (2 * eps)
    value, hv = F.hvp(f, minigrad.tensor(x), minigrad.tensor(v))
    _, vh = F.vhp(f, minigrad.tensor(x), minigrad.tensor(v))
    gradient_map = lambda a: F.jacobian(f, a, create_graph=True)  # noqa: E731
    _, jv = F.jvp(gradient_map, minigrad.tensor(x), minigrad.tensor(v))
    for result in (hv, vh, jv):
        np.testing.assert_allclose(result.numpy(), numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(value.item(), f(minigrad.tensor(x)).item(), rtol=1e-14)
    f_numeric = (
        f(minigrad.tensor(x + eps * v)).item() - f(minigrad.tensor(x - eps * v)).item()
    ) / (2 * eps)
    _, jf = F.jvp(f, minigrad.tensor(x), minigrad.tensor(v))
    np.testing.assert_allclose(jf.item(), f_numeric, rtol=1e-5, atol=1e-6)


@settings(max_examples=examples(0.5))
@given(shape=SHAPES, kind=KINDS, seed=st.integers(0, 2**32 - 1))
def test_hessian_and_products_match_pytorch(pt, shape, kind, seed):
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(-1.2, 1.2, shape), rng.standard_normal(shape)
    results = []
    for T in (minigrad, pt):
        F, f = T.autograd.functional, _smooth(T, kind)
        results.append(
            [
                F.hessian(f, T.tensor(x)).numpy(),
                F.hvp(f, T.tensor(x), T.tensor(v))[1].numpy(),
                F.vhp(f, T.tensor(x), T.tensor(v))[1].numpy(),
                F.jvp(lambda a: a.sin() * a.sum(), T.tensor(x), T.tensor(v))[1].numpy(),
            ]
        )
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)
