"""The engine reuses gradient buffers only where nobody else can see them.

A leaf's first ``.grad`` may be the very array a backward formula produced (PyTorch "steals" it
too), and a gradient summed from several uses may be added into in place; but a ``.grad`` must
never share memory with a tensor the user holds (the gradient they passed to ``backward``, a
retained gradient, what a hook saw or returned, another leaf's ``.grad``), nor change what a
recorded ``BackwardStep`` shows.
"""

import tracemalloc

import numpy as np
import pytest

import minigrad
from minigrad.autograd import backward_steps

F64 = minigrad.float64


def leaf(shape=(3, 2), seed=0):
    rng = np.random.default_rng(seed)
    return minigrad.tensor(rng.standard_normal(shape), dtype=F64, requires_grad=True)


def shares(a, b):
    return np.shares_memory(a.detach().numpy(), b.detach().numpy())


def assert_private(grad, *others):
    """``grad`` shares no memory with any of ``others``, and writing into it leaves them alone."""
    before = [o.detach().numpy().copy() for o in others]
    for o in others:
        assert not shares(grad, o)
    grad.add_(1000.0)
    for o, b in zip(others, before):
        np.testing.assert_array_equal(o.detach().numpy(), b)


def test_a_gradient_given_to_backward_is_copied_into_a_leafs_grad():
    w = leaf()
    g = minigrad.ones(3, 2, dtype=F64)
    w.backward(g)
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((3, 2)))
    assert_private(w.grad, g)


@pytest.mark.parametrize(
    "make, back",
    [
        (lambda w: w.t(), lambda g: g.T),
        (lambda w: w.reshape(6), lambda g: g.reshape(3, 2)),
        (lambda w: w.view(2, 3), lambda g: g.reshape(3, 2)),
        (lambda w: w + 0.0, lambda g: g),
        (lambda w: w.clone(), lambda g: g),
    ],
    ids=["t", "reshape", "view", "add", "clone"],
)
def test_a_gradient_passed_through_views_of_the_users_gradient_is_copied(make, back):
    w = leaf()
    y = make(w)
    g = minigrad.arange(6, dtype=F64).reshape(y.shape)
    y.backward(g)
    np.testing.assert_array_equal(w.grad.numpy(), back(g.numpy()))
    assert_private(w.grad, g)


def test_retained_gradients_and_leaf_gradients_are_separate():
    w = leaf()
    h = w.clone()
    h.retain_grad()
    k = h * 1.0
    k.retain_grad()
    k.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((3, 2)))
    assert_private(w.grad, h.grad, k.grad)
    assert_private(h.grad, k.grad)


def test_a_hook_that_returns_its_input_and_keeps_it():
    w = leaf()
    seen = []

    def keep(g):
        seen.append(g)
        return g

    h = w * 2.0
    h.register_hook(keep)
    w.register_hook(keep)
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 2.0))
    assert_private(w.grad, *seen)


def test_a_hook_that_returns_a_tensor_it_keeps():
    w = leaf()
    kept = minigrad.full((3, 2), 5.0, dtype=F64)
    w.register_hook(lambda g: kept)
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 5.0))
    assert_private(w.grad, kept)


def test_two_leaves_fed_the_same_gradient_get_separate_grads():
    a, b = leaf(seed=1), leaf(seed=2)
    (a + b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones((3, 2)))
    assert_private(a.grad, b.grad)
    c, d = leaf(seed=3), leaf(seed=4)
    (c * 2.0 + d * 1.0).backward(minigrad.ones(3, 2, dtype=F64))
    assert_private(c.grad, d.grad)


def test_a_tensor_used_several_times_sums_its_gradients():
    w = leaf()
    x = w * 1.0
    (x * 2.0 + x * 3.0 + x.exp()).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 5.0 + np.exp(w.detach().numpy()))
    y = leaf(seed=5)
    (y * y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), 3 * y.detach().numpy() ** 2)


def test_the_gradient_of_a_saved_tensor_is_not_the_saved_tensor():
    w, x = leaf(seed=6), leaf(seed=7).detach()
    (w * x).sum().backward()  # d/dw = x
    np.testing.assert_array_equal(w.grad.numpy(), x.numpy())
    assert_private(w.grad, x)


def test_later_backward_calls_do_not_change_recorded_steps():
    w = leaf()
    steps = list(backward_steps((w * 2.0).sum()))
    recorded = [s.grad_after.numpy().copy() for s in steps if s.leaf is not None]
    (w * 3.0).sum().backward()
    w.grad.add_(100.0)
    again = [s.grad_after.numpy() for s in steps if s.leaf is not None]
    for r, a in zip(recorded, again):
        np.testing.assert_array_equal(r, a)
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 105.0))


def test_grad_returns_fresh_tensors():
    w = leaf()
    g = minigrad.ones(3, 2, dtype=F64)
    (d,) = minigrad.autograd.grad(w * 1.0, w, g)
    assert_private(d, g)


def test_a_leafs_first_grad_is_the_array_its_backward_made_not_a_copy():
    """Memory, not time: the backward of (w * 2).sum() makes one w-sized array (2·grad); .grad
    takes it, so at most about one w-sized array is allocated while backward runs."""
    w = minigrad.zeros(1 << 20, requires_grad=True)  # 4 MB of float32
    loss = (w * 2.0).sum()
    tracemalloc.start()
    try:
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * w.detach().numpy().nbytes, peak
    np.testing.assert_array_equal(w.grad.numpy()[:3], [2.0, 2.0, 2.0])


def test_a_gradient_summed_from_two_uses_is_added_in_place():
    w = minigrad.zeros(1 << 20, requires_grad=True)
    loss = (w * 2.0 + w * 3.0 + w * 4.0).sum()
    tracemalloc.start()
    try:
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the three products' gradients (one at a time alive beside the sum) and nothing more
    assert peak < 2.5 * w.detach().numpy().nbytes, peak
    np.testing.assert_array_equal(w.grad.numpy()[:3], [9.0, 9.0, 9.0])
