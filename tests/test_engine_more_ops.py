"""log1p, square, diag, where and logsigmoid: gradients against finite differences (first and
second order, hypothesis shapes with broadcasting for where), and against PyTorch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import (check_first_derivatives, check_second_derivatives, examples,
                            normal, positive)

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)

UNARY = {
    "log1p": (lambda T, a: T.log1p(a), lambda rng, s: positive(rng, s, 0.1, 3.0)),
    "square": (lambda T, a: T.square(a), normal),
    "logsigmoid": (lambda T, a: T.nn.functional.logsigmoid(a), lambda rng, s: normal(rng, s, 3.0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=examples(0.5))
@given(shape=shapes, seed=seeds)
def test_unary_gradients_match_finite_differences(name, shape, seed):
    fn, values = UNARY[name]
    rng = np.random.default_rng(seed)
    a = values(rng, shape)
    check_first_derivatives(fn, [a], rng)
    check_second_derivatives(fn, [a], rng)


@settings(max_examples=examples(0.5))
@given(n=st.integers(1, 5), seed=seeds)
def test_diag_both_ways(n, seed):
    rng = np.random.default_rng(seed)
    check_first_derivatives(lambda T, v: T.diag(v), [normal(rng, (n,))], rng)
    check_first_derivatives(lambda T, m: T.diag(m) * 2, [normal(rng, (n, n + 1))], rng)
    check_second_derivatives(lambda T, v: T.diag(v) ** 2, [normal(rng, (n,))], rng)


@settings(max_examples=examples(0.5))
@given(shape_a=shapes, shape_b=shapes, seed=seeds)
def test_where_broadcasts_and_routes_each_gradient(shape_a, shape_b, seed):
    rng = np.random.default_rng(seed)
    try:
        out_shape = np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return
    condition = rng.random(out_shape) > 0.5

    def fn(T, a, b):
        return T.where(T.tensor(condition), a * a, b * 3)

    check_first_derivatives(fn, [normal(rng, shape_a), normal(rng, shape_b)], rng)
    check_second_derivatives(fn, [normal(rng, shape_a), normal(rng, shape_b)], rng)


def test_where_with_a_number_and_the_mask_is_not_differentiated():
    x = minigrad.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = minigrad.where(x > 0, x, 0.0)  # relu, written with where
    assert y.dtype is minigrad.float32 and y.grad_fn.name() == "WhereBackward0"
    assert [f is None for f, _ in y.grad_fn.next_functions] == [False, True]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])


def test_diag_only_main_diagonal_and_2d():
    with pytest.raises(NotImplementedError):
        minigrad.diag(minigrad.ones(3), 1)
    with pytest.raises(RuntimeError, match="Supports 1D or 2D"):
        minigrad.diag(minigrad.ones(2, 2, 2))


@pytest.mark.oracle
def test_values_grads_and_node_names_match_pytorch(pt):
    rng = np.random.default_rng(7)
    v, m = rng.standard_normal(4), rng.standard_normal((3, 4))
    cases = [
        ("log1p", lambda T, a: T.log1p(a), np.abs(v) + 0.1),
        ("square", lambda T, a: T.square(a), v),
        ("logsigmoid", lambda T, a: T.nn.functional.logsigmoid(a * 20), v),
        ("diag vector", lambda T, a: T.diag(a), v),
        ("diag matrix", lambda T, a: T.diag(a), m),
        ("where", lambda T, a: T.where(a > 0, a * 2, a.exp()), v),
    ]
    for label, fn, value in cases:
        results = []
        for T in (minigrad, pt):
            a = T.tensor(value, dtype=T.float32, requires_grad=True)
            out = fn(T, a)
            out.backward(T.ones_like(out))
            name = out.grad_fn.name() if T is minigrad else type(out.grad_fn).__name__
            results.append((np.asarray(out.detach().numpy()), np.asarray(a.grad.numpy()), name))
        (mine, mine_grad, mine_name), (theirs, their_grad, their_name) = results
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6, err_msg=label)
        np.testing.assert_allclose(mine_grad, their_grad, rtol=1e-5, atol=1e-6, err_msg=label)
        # PyTorch names the 2-D case DiagonalBackward0_copy (a view-copy kernel detail)
        assert their_name.startswith(mine_name), label
