"""Helpers for the engine tests: finite differences and small value generators.

Nothing here computes an expected value with minigrad's own backward: the oracles are central
finite differences (of minigrad's *forward* only), hand-derived formulas, or PyTorch.
"""

import contextlib
import io
import re
import textwrap
import warnings

import numpy as np
from hypothesis import settings

import minigrad


def examples(fraction):
    """A share of the loaded hypothesis profile's max_examples (so a thorough profile scales
    every test, also those that run fewer examples than the default)."""
    return max(2, int(settings().max_examples * fraction))


F64 = np.float64


# -- value generators (all float64) -----------------------------------------------------------
def normal(rng, shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def positive(rng, shape, low=0.3, high=2.0):
    return rng.uniform(low, high, size=shape)


def away_from_zero(rng, shape, low=0.3, high=2.0):
    """Values with |v| in [low, high] and a random sign (no kink of abs/relu/division nearby)."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def distinct(rng, shape):
    """All values at least 0.3 apart, so max/min have no ties and no near-ties."""
    n = int(np.prod(shape, dtype=np.int64))
    values = (rng.permutation(n) - n / 2) * 0.4 + rng.uniform(-0.05, 0.05, size=n)
    return values.reshape(shape)


def away_from(rng, values, points, margin=0.05, push=0.1):
    """Move any value closer than ``margin`` to one of ``points`` to ``push`` beyond it."""
    values = np.array(values, dtype=F64)
    for p in points:
        if p is None:
            continue
        close = np.abs(values - p) < margin
        side = np.where(values[close] >= p, 1.0, -1.0)
        values[close] = p + side * push
    return values


# -- minigrad plumbing ------------------------------------------------------------------------
def leaves(arrays, dtype=minigrad.float64):
    return [minigrad.tensor(np.array(a), dtype=dtype, requires_grad=True) for a in arrays]


def const(T, array, like):
    """A constant (no grad) for the library ``T``: floats take ``like``'s dtype, ints/bools stay."""
    array = np.asarray(array)
    if array.dtype.kind == "f":
        return T.tensor(array, dtype=like.dtype)
    return T.tensor(array)


def forward_value(fn, arrays):
    """fn(minigrad, *arrays) as a float64 numpy array, computed without recording a graph."""
    with minigrad.no_grad():
        out = fn(minigrad, *[minigrad.tensor(np.array(a), dtype=minigrad.float64) for a in arrays])
    return np.asarray(out.data, dtype=F64)


def finite_differences(scalar, arrays, eps=1e-6):
    """Central differences of ``scalar(arrays)`` with respect to every element of every array."""
    arrays = [np.array(a, dtype=F64) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            original = a[idx]
            a[idx] = original + eps
            up = scalar(arrays)
            a[idx] = original - eps
            down = scalar(arrays)
            a[idx] = original
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def grad_or_zeros(g, like):
    if g is None:
        return np.zeros(np.shape(like))
    return np.asarray(g.data, dtype=F64)


def check_first_derivatives(fn, arrays, rng, rtol=1e-5, atol=1e-6):
    """Gradients of sum(fn(x) * v) for a random v: backward(), and autograd.grad with
    create_graph=True (the tensor path of every backward formula), against finite differences."""
    arrays = [np.array(a, dtype=F64) for a in arrays]
    v = rng.standard_normal(forward_value(fn, arrays).shape)
    numeric = finite_differences(lambda arrs: float(np.sum(forward_value(fn, arrs) * v)), arrays)

    xs = leaves(arrays)
    out = fn(minigrad, *xs)
    assert out.requires_grad and out.grad_fn is not None
    out.backward(minigrad.tensor(v))
    for x, expected in zip(xs, numeric):
        np.testing.assert_allclose(grad_or_zeros(x.grad, x), expected, rtol=rtol, atol=atol)

    xs = leaves(arrays)
    out = fn(minigrad, *xs)
    grads = minigrad.autograd.grad(
        out, xs, minigrad.tensor(v), create_graph=True, allow_unused=True
    )
    for x, g, expected in zip(xs, grads, numeric):
        if g is not None:
            assert g.shape == x.shape and g.dtype == x.dtype
        np.testing.assert_allclose(grad_or_zeros(g, x), expected, rtol=rtol, atol=atol)


def check_second_derivatives(fn, arrays, rng, rtol=1e-4, atol=1e-5):
    """d/dx of sum_k <grad_k(x), u_k> through create_graph=True, against finite differences of
    the first gradient (itself checked against finite differences by the first-order test)."""
    arrays = [np.array(a, dtype=F64) for a in arrays]
    v = rng.standard_normal(forward_value(fn, arrays).shape)
    us = [rng.standard_normal(a.shape) for a in arrays]

    def projected_gradient(arrs):
        xs = leaves(arrs)
        grads = minigrad.autograd.grad(fn(minigrad, *xs), xs, minigrad.tensor(v), allow_unused=True)
        return float(sum(np.sum(grad_or_zeros(g, x) * u) for g, x, u in zip(grads, xs, us)))

    numeric = finite_differences(projected_gradient, arrays, eps=1e-5)

    xs = leaves(arrays)
    grads = minigrad.autograd.grad(
        fn(minigrad, *xs), xs, minigrad.tensor(v), create_graph=True, allow_unused=True
    )
    terms = [
        (g * minigrad.tensor(u)).sum()
        for g, u in zip(grads, us)
        if g is not None and g.requires_grad
    ]
    if terms:
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        second = minigrad.autograd.grad(total, xs, allow_unused=True)
    else:  # the gradient does not depend on x at all (a linear op)
        second = [None] * len(xs)
    for x, g, expected in zip(xs, second, numeric):
        np.testing.assert_allclose(grad_or_zeros(g, x), expected, rtol=rtol, atol=atol)


# -- what a student sees printed --------------------------------------------------------------
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
# warnings both libraries give only the first time in a process (so whether a snippet sees them
# depends on the tests that ran before it); test_engine_oracle_warnings.py checks them apart
ONCE_PER_PROCESS = (
    "Using backward() with create_graph=True",
    "Converting a tensor with requires_grad=True to a scalar",
)
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)$")


def printed(T, code):
    """Run ``code`` with ``torch`` bound to ``T`` (minigrad or PyTorch) and return what a student
    would see: everything printed, each warning (category and message; PyTorch's "(Triggered
    internally at ...)" suffix cut off, as minigrad leaves it out), and, if it raised, the
    exception's type and message. Memory addresses are masked (they differ on every run)."""
    out = io.StringIO()
    namespace = {"torch": T, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(textwrap.dedent(code), namespace)
        except Exception as error:  # noqa: BLE001  (the error is what we compare)
            out.write(f"raised {type(error).__name__}: {error}\n")
    for w in caught:
        message = _TRIGGERED.sub("", str(w.message))
        if not message.startswith(ONCE_PER_PROCESS):
            out.write(f"warning {w.category.__name__}: {message}\n")
    return _ADDRESS.sub("0x...", out.getvalue())
