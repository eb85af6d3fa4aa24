"""Autograd semantics, checked with hand-derived values (no PyTorch needed)."""

import sys

import numpy as np
import pytest

import minigrad

FREED = "Trying to backward through the graph a second time"
F64 = minigrad.float64


def vec(values, requires_grad=True, dtype=F64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=requires_grad)


def values(t):
    return t.detach().numpy()


# -- accumulation and retain_graph ------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls_and_zero_resets():
    x = vec([1.0, 2.0, 3.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0, 6.0])
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(values(x.grad), [4.0, 8.0, 12.0])
    same = x.grad
    assert x.grad.zero_() is same
    np.testing.assert_array_equal(values(x.grad), [0.0, 0.0, 0.0])
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0, 6.0])
    assert not x.grad.requires_grad and x.grad.is_leaf and x.grad.grad_fn is None


def test_accumulation_adds_new_graphs_too():
    x = vec([1.0, -1.0])
    (3 * x).sum().backward()
    (x**2).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3 + 2.0, 3 - 2.0])


def test_grad_set_to_none_starts_over():
    x = vec([2.0])
    (x * 5).sum().backward()
    x.grad = None
    (x * 7).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [7.0])


def test_second_backward_without_retain_graph_raises():
    x = vec([1.0, 2.0])
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value).startswith(FREED)
    assert "retain_graph=True" in str(info.value)
    np.testing.assert_allclose(values(x.grad), np.exp([1.0, 2.0]))  # first pass only


def test_retain_graph_allows_a_second_backward():
    x = vec([1.0, 2.0])
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(values(x.grad), 3 * np.exp([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_be_run_twice():
    # like PyTorch: only nodes holding saved values complain
    x = vec([1.0, 2.0])
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 2.0])


# -- grad modes -------------------------------------------------------------------------------
def test_no_grad_context_manager():
    x = vec([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad_and_nesting():
    x = vec([1.0])
    with minigrad.no_grad():
        with minigrad.enable_grad():
            assert minigrad.is_grad_enabled()
            y = x * 2
        with minigrad.no_grad():
            assert not minigrad.is_grad_enabled()
        assert not minigrad.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    assert not z.requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), minigrad.no_grad():
        raise ValueError("boom")
    assert minigrad.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    x = vec([3.0])

    @minigrad.no_grad()
    def frozen(t):
        return t * 2

    @minigrad.enable_grad()
    def tracked(t):
        return t * 2

    assert not frozen(x).requires_grad
    assert minigrad.is_grad_enabled()
    with minigrad.no_grad():
        assert tracked(x).requires_grad
        assert not minigrad.is_grad_enabled()
    assert frozen.__name__ == "frozen"  # functools.wraps


def test_set_grad_enabled_context_function_and_decorator():
    x = vec([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()
    with minigrad.set_grad_enabled(True):
        assert (x * 2).requires_grad

    minigrad.set_grad_enabled(False)  # as a plain call it switches at once ...
    try:
        assert not minigrad.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)  # ... and stays switched
    assert minigrad.is_grad_enabled()

    @minigrad.set_grad_enabled(False)
    def frozen(t):
        return t * 2

    assert minigrad.is_grad_enabled()  # decorating does not switch anything
    assert not frozen(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_backward_under_no_grad_still_computes_gradients():
    x = vec([2.0])
    y = x * x
    with minigrad.no_grad():
        y.backward()
    np.testing.assert_array_equal(values(x.grad), [4.0])


# -- detach -----------------------------------------------------------------------------------
def test_detach_shares_memory_and_needs_no_grad():
    x = vec([1.0, 2.0])
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    np.testing.assert_array_equal(values(d), [3.0, 6.0])
    d[0] = 10.0  # writes through to y
    np.testing.assert_array_equal(values(y), [10.0, 6.0])
    assert d._version == y._version == 1  # one version counter
    dx = x.detach()
    dx.add_(1)  # allowed: the detached tensor is not a leaf that requires grad
    np.testing.assert_array_equal(values(x), [2.0, 3.0])
    assert (d * 2).grad_fn is None


def test_detached_branch_gets_no_gradient():
    x = vec([1.0, 2.0])
    y = x * x.detach()
    y.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [1.0, 2.0])  # only one factor is tracked


# -- hooks and retain_grad --------------------------------------------------------------------
def test_hook_on_leaf_replaces_the_gradient():
    x = vec([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(values(g).copy()) or g * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(values(x.grad), [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3.0, 3.0])
    assert len(seen) == 1


def test_hook_on_non_leaf_changes_what_flows_upstream():
    x = vec([1.0, 2.0])
    y = x * x
    handle = y.register_hook(lambda g: g * 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [1.0, 2.0])  # 2x * 0.5
    handle.remove()
    handle.remove()  # removing twice is harmless
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0])


def test_hook_returning_none_keeps_the_gradient_and_hooks_run_in_order():
    x = vec([1.0])
    calls = []
    x.register_hook(lambda g: calls.append("first"))
    x.register_hook(lambda g: calls.append("second") or g + 1)
    x.register_hook(lambda g: calls.append(float(g.item())) or None)
    (x * 4).sum().backward()
    assert calls == ["first", "second", 5.0]
    np.testing.assert_array_equal(values(x.grad), [5.0])


def test_retain_grad_fills_non_leaf_grad_after_hooks():
    x = vec([1.0, 2.0])
    y = x * 2
    z = y * y
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    y.register_hook(lambda g: g * 3)
    z.sum().backward()
    # dz/dy = 2y = [4, 8], tripled by the hook; .grad of y shows the hooked value
    np.testing.assert_array_equal(values(y.grad), [12.0, 24.0])
    np.testing.assert_array_equal(values(x.grad), [24.0, 48.0])
    assert z.grad_fn is not None


def test_retain_grad_on_leaf_is_a_no_op():
    x = vec([1.0])
    x.retain_grad()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [2.0])


def test_is_leaf():
    x = vec([1.0])
    c = minigrad.tensor([1.0])
    assert x.is_leaf and c.is_leaf
    assert not (x * 2).is_leaf
    assert (c * 2).is_leaf  # needs no grad: a leaf
    with minigrad.no_grad():
        assert (x * 2).is_leaf
    assert x.detach().is_leaf


def test_requires_grad_flag_and_method():
    x = minigrad.tensor([1.0, 2.0])
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2
    assert y.requires_grad_(True) is y  # already true on a non-leaf: allowed
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad_(False)
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad = True
    assert y.requires_grad and not y.is_leaf
    plain = minigrad.ones(2) * 2  # computed from tensors that need no grad: a leaf
    assert plain.requires_grad_() is plain and plain.requires_grad and plain.is_leaf
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        minigrad.tensor([1, 2]).requires_grad_()


# -- versions and in-place --------------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.add_(1),
        lambda t: t.sub_(1),
        lambda t: t.mul_(2),
        lambda t: t.div_(2),
        lambda t: t.zero_(),
        lambda t: t.fill_(3.0),
        lambda t: t.copy_(minigrad.ones(2, 3)),
        lambda t: t.clamp_(0, 1),
        lambda t: t.__setitem__(0, 5.0) or t,
        lambda t: t.__setitem__((0, 1), 5.0) or t,
        lambda t: t.__iadd__(1),
        lambda t: t.__imul__(2),
    ],
    ids=[
        "add_",
        "sub_",
        "mul_",
        "div_",
        "zero_",
        "fill_",
        "copy_",
        "clamp_",
        "setitem_row",
        "setitem_element",
        "iadd",
        "imul",
    ],
)
def test_every_in_place_change_bumps_the_version(change):
    t = minigrad.ones(2, 3)
    view, row, transposed, detached = t.view(6), t[1], t.t(), t.detach()
    assert t._version == 0
    result = change(t)
    assert result is t
    assert t._version == 1
    # views and detached tensors share the counter
    assert view._version == row._version == transposed._version == detached._version == 1


def test_changing_a_view_bumps_its_base():
    t = minigrad.zeros(2, 3)
    row = t[0]
    row.add_(1)
    assert t._version == 1
    np.testing.assert_array_equal(values(t), [[1, 1, 1], [0, 0, 0]])
    assert minigrad.zeros(2)._version == 0  # a fresh tensor has its own counter


def test_out_of_place_ops_do_not_bump():
    t = minigrad.ones(3)
    _ = t + 1, t * 2, t.exp(), t[0], t.view(3)
    assert t._version == 0


def test_modifying_a_saved_tensor_makes_backward_raise():
    x = vec([1.0, 2.0])
    y = x.sigmoid()  # sigmoid saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    message = str(info.value)
    assert message.startswith(
        "one of the variables needed for gradient computation has been "
        "modified by an inplace operation: [torch.DoubleTensor [2]]"
    )
    assert message.endswith(
        "is at version 1; expected version 0 instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, "
        "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def test_modifying_a_tensor_nobody_saved_is_fine():
    x = vec([1.0, 2.0])
    y = x + 1  # add saves nothing
    z = y * 3  # mul by a number saves the number only
    y.mul_(2)
    z.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3.0, 3.0])


def test_in_place_on_non_leaf_rebases_grad_fn():
    x = vec([1.0, 2.0])
    y = x * 2
    assert y.grad_fn.name() == "MulBackward0"
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    np.testing.assert_array_equal(values(y), [3.0, 5.0])
    y.mul_(minigrad.tensor([3.0, 5.0], dtype=F64))  # y <- y * c: dy/dx = 2 * c
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [6.0, 10.0])


def test_in_place_with_a_tracked_operand_makes_a_plain_tensor_require_grad():
    w = vec([2.0, 3.0])
    buffer = minigrad.zeros(2, dtype=F64)
    buffer.add_(w * w)
    assert buffer.requires_grad and buffer.grad_fn.name() == "AddBackward0"
    buffer.sum().backward()
    np.testing.assert_array_equal(values(w.grad), [4.0, 6.0])


def test_setitem_on_non_leaf_gradient_by_hand():
    x = vec([1.0, 2.0, 3.0])
    v = vec([10.0])
    y = x * 2
    y[1] = v[0] * 5
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.grad_fn.name() == "torch::autograd::CopySlices"  # PyTorch's C++ name
    (y * minigrad.tensor([1.0, 2.0, 3.0], dtype=F64)).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 0.0, 6.0])  # position 1 overwritten
    np.testing.assert_array_equal(values(v.grad), [10.0])  # 5 * weight 2


def test_in_place_under_no_grad_on_a_leaf_is_allowed():
    x = vec([1.0, 2.0])
    with minigrad.no_grad():
        x.add_(1)
        x[0] = 7.0
    assert x.requires_grad and x.is_leaf and x._version == 2
    np.testing.assert_array_equal(values(x), [7.0, 3.0])


# -- graph shape and order --------------------------------------------------------------------
def test_chain_of_ten_thousand_ops():
    limit = sys.getrecursionlimit()
    x = vec([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    assert sys.getrecursionlimit() == limit
    y.backward(minigrad.ones(1, dtype=F64))
    np.testing.assert_allclose(values(x.grad), [1.0001**10_000], rtol=1e-9)
    z = x
    for _ in range(10_000):
        z = z + 1.0
    steps = list(minigrad.autograd.backward_steps(z.sum()))
    assert len(steps) == 10_002  # sum, 10 000 adds, AccumulateGrad
    np.testing.assert_allclose(values(x.grad), [1.0001**10_000 + 1], rtol=1e-9)


def test_node_used_twice_sums_before_it_runs():
    x = vec([1.0, 2.0])
    y = x.exp()
    received = []
    y.register_hook(lambda g: received.append(values(g).copy()))
    z = y * y + y  # y feeds three edges
    z.sum().backward()
    assert len(received) == 1  # one call, with everything summed
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(received[0], 2 * e + 1)
    np.testing.assert_allclose(values(x.grad), (2 * e + 1) * e)
    names = [s.node.name() for s in minigrad.autograd.backward_steps((x.exp() * x.exp()).sum())]
    assert names.count("torch::autograd::AccumulateGrad") == 1


def test_a_plus_a_and_x_times_x():
    a = vec([1.5, -2.0])
    (a + a).sum().backward()
    np.testing.assert_array_equal(values(a.grad), [2.0, 2.0])
    x = vec([1.5, -2.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3.0, -4.0])


def _diamond(scale):
    x = vec([1.0, 2.0])
    w = vec([0.5, -0.5])
    h = (x * w).tanh()
    a, b = h.exp(), h.sin()
    c = (a * b + h).sum() * scale + (w * w).sum()
    return c, x, w


def test_topological_order_is_deterministic_and_valid():
    runs = []
    for _ in range(2):
        root, _, _ = _diamond(2.0)
        runs.append([s.node.name() for s in minigrad.autograd.backward_steps(root)])
    assert runs[0] == runs[1]
    root, _, _ = _diamond(3.0)
    steps = list(minigrad.autograd.backward_steps(root))
    position = {id(s.node): i for i, s in enumerate(steps)}
    assert len(position) == len(steps)  # every node runs once
    for s in steps:  # every node runs after all the nodes that send it a gradient
        for child, _ in s.node.next_functions:
            if child is not None:
                assert position[id(child)] > position[id(s.node)]


# -- autograd.grad and backward(inputs=...) ----------------------------------------------------
def test_autograd_grad_returns_gradients_without_touching_grad():
    x, w = vec([1.0, 2.0]), vec([3.0, 4.0])
    y = (x * w).sum()
    gx, gw = minigrad.autograd.grad(y, [x, w])
    np.testing.assert_array_equal(values(gx), [3.0, 4.0])
    np.testing.assert_array_equal(values(gw), [1.0, 2.0])
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_autograd_grad_with_grad_outputs_and_a_single_input():
    x = vec([1.0, 2.0])
    (g,) = minigrad.autograd.grad(x * x, x, grad_outputs=minigrad.tensor([1.0, 10.0], dtype=F64))
    np.testing.assert_array_equal(values(g), [2.0, 40.0])


def test_autograd_grad_allow_unused():
    x, unused = vec([1.0]), vec([1.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        minigrad.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = minigrad.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(values(gx), [2.0])


def test_autograd_grad_for_a_non_leaf_input():
    x = vec([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    (gh,) = minigrad.autograd.grad(y, h)
    np.testing.assert_array_equal(values(gh), [6.0, 12.0])
    assert x.grad is None


def test_autograd_grad_create_graph_gives_differentiable_gradients():
    x = vec([2.0])
    (g,) = minigrad.autograd.grad((x**3).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    g.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [12.0])  # d(3x²)/dx


def test_backward_inputs_limits_which_leaves_get_grad():
    x, w, b = vec([1.0, 2.0]), vec([3.0, 4.0]), vec([5.0])
    loss = (x * w).sum() + b.sum()
    loss.backward(inputs=[w], retain_graph=True)
    np.testing.assert_array_equal(values(w.grad), [1.0, 2.0])
    assert x.grad is None and b.grad is None
    loss.backward(inputs=[x, b])
    np.testing.assert_array_equal(values(x.grad), [3.0, 4.0])
    np.testing.assert_array_equal(values(b.grad), [1.0])
    np.testing.assert_array_equal(values(w.grad), [1.0, 2.0])  # unchanged by the second call


def test_autograd_backward_function_with_several_roots():
    x = vec([1.0, 2.0])
    a, b = x * 2, x * x
    minigrad.autograd.backward([a.sum(), b.sum()])
    np.testing.assert_array_equal(values(x.grad), [4.0, 6.0])
    y = vec([1.0])
    minigrad.autograd.backward([y * 3], [minigrad.tensor([2.0], dtype=F64)])
    np.testing.assert_array_equal(values(y.grad), [6.0])


def test_leaf_backward_and_gradient_dtype():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)  # float32
    x.backward(minigrad.tensor([3.0, 4.0]))
    np.testing.assert_array_equal(values(x.grad), [3.0, 4.0])
    assert x.grad.dtype is minigrad.float32
    y = minigrad.tensor([1.0], requires_grad=True)
    (y.double() * 2).sum().backward()
    assert y.grad.dtype is minigrad.float32  # converted back through ToCopyBackward0
    np.testing.assert_array_equal(values(y.grad), [2.0])


def test_a_path_that_sends_no_gradient_does_not_block_the_others():
    """A custom backward returning None for one use of h: h's node must still run once its other
    consumer has sent its gradient (PyTorch: a.grad == 6)."""

    class Stop(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return None

    a = minigrad.ones(3, requires_grad=True)
    h = a * 2
    (Stop.apply(h) + h * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [6.0, 6.0, 6.0])
    b = minigrad.ones(2, requires_grad=True)
    (Stop.apply(b * 2)).sum().backward()  # nothing reaches b at all
    assert b.grad is None


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
