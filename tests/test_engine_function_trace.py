"""Custom ``autograd.Function``s, ``autograd.functional`` and the step-trace API."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import AccumulateGrad
from engine_helpers import finite_differences, forward_value

F64 = minigrad.float64


def vec(values, requires_grad=True):
    return minigrad.tensor(values, dtype=F64, requires_grad=requires_grad)


def values(t):
    return t.detach().numpy()


# -- custom Functions -------------------------------------------------------------------------
def _functions(T):
    """The same custom Functions for either library."""

    class Scale(T.autograd.Function):
        """x * y * factor, with a Python number in the middle of the arguments."""

        @staticmethod
        def forward(ctx, x, factor, y):
            ctx.save_for_backward(x, y)
            ctx.factor = factor
            ctx.seen_needs = ctx.needs_input_grad
            return x * y * factor

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            gx = grad * y * ctx.factor if ctx.needs_input_grad[0] else None
            gy = grad * x * ctx.factor if ctx.needs_input_grad[2] else None
            return gx, None, gy

    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    class TooFew(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad

    class TooMany(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class WrongShape(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return T.ones(4)

    class SameSizeWrongShape(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return (grad * 2).reshape(6)

    class ExpandedGradient(T.autograd.Function):
        """Returns a gradient broadcast to a bigger shape: PyTorch sums it back to the input's."""

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.expand(4, 3) * 1.0

    class NoBackward(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    return dict(
        Scale=Scale,
        Cube=Cube,
        TooFew=TooFew,
        TooMany=TooMany,
        WrongShape=WrongShape,
        SameSizeWrongShape=SameSizeWrongShape,
        ExpandedGradient=ExpandedGradient,
        NoBackward=NoBackward,
    )


MG = _functions(minigrad)


def test_custom_function_forward_backward_and_context():
    x = vec([1.0, 2.0])
    y = vec([3.0, -1.0])
    out = MG["Scale"].apply(x, 2.5, y)
    assert out.grad_fn.name() == "ScaleBackward"
    assert out.grad_fn.seen_needs == (True, False, True)
    assert out.grad_fn.needs_input_grad == (True, False, True)
    assert [n.name() for n, _ in out.grad_fn.next_functions] == [
        "torch::autograd::AccumulateGrad"
    ] * 2
    np.testing.assert_array_equal(values(out), [7.5, -5.0])
    out.backward(minigrad.tensor([1.0, 10.0], dtype=F64))
    np.testing.assert_array_equal(values(x.grad), [7.5, -25.0])
    np.testing.assert_array_equal(values(y.grad), [2.5, 50.0])


def test_custom_function_with_an_input_that_needs_no_grad():
    x = vec([1.0, 2.0])
    out = MG["Scale"].apply(x, 2.0, minigrad.tensor([4.0, 5.0], dtype=F64))
    assert out.grad_fn.needs_input_grad == (True, False, False)
    assert [n is None for n, _ in out.grad_fn.next_functions] == [False, True]
    out.sum().backward()
    np.testing.assert_array_equal(values(x.grad), [8.0, 10.0])


def test_custom_function_without_grad_records_nothing():
    x = vec([1.0])
    with minigrad.no_grad():
        out = MG["Cube"].apply(x)
    assert out.grad_fn is None and not out.requires_grad
    assert MG["Cube"].apply(minigrad.tensor([2.0])).grad_fn is None


def test_custom_function_gradient_matches_finite_differences_and_double_backward():
    x = vec([0.5, -1.5])
    (g,) = minigrad.autograd.grad(MG["Cube"].apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(values(g), 3 * np.array([0.5, -1.5]) ** 2)
    (h,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(values(h), 6 * np.array([0.5, -1.5]))


def test_saved_tensors_are_freed_after_backward():
    x = vec([1.0])
    out = MG["Cube"].apply(x)
    out.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.grad_fn.saved_tensors


def _error(T, name, make_inputs):
    with pytest.raises(Exception) as info:
        _functions(T)[name].apply(*make_inputs(T)).sum().backward()
    return type(info.value).__name__, str(info.value)


BAD_FUNCTIONS = [
    ("TooFew", lambda T: (T.ones(2, 3, requires_grad=True), T.ones(2, 3))),
    ("TooMany", lambda T: (T.ones(2, 3, requires_grad=True),)),
    ("WrongShape", lambda T: (T.ones(2, 3, requires_grad=True),)),
    ("SameSizeWrongShape", lambda T: (T.ones(2, 3, requires_grad=True),)),
    ("NoBackward", lambda T: (T.ones(2, 3, requires_grad=True),)),
]


@pytest.mark.parametrize("name, make_inputs", BAD_FUNCTIONS, ids=[n for n, _ in BAD_FUNCTIONS])
def test_bad_custom_functions_raise_clear_errors(name, make_inputs):
    kind, message = _error(minigrad, name, make_inputs)
    expected = {
        "TooFew": (
            "RuntimeError",
            "function TooFewBackward returned an incorrect number of gradients (expected 2, got 1)",
        ),
        "TooMany": (
            "RuntimeError",
            "function TooManyBackward returned an incorrect number of "
            "gradients (expected 1, got 2)",
        ),
        "WrongShape": (
            "RuntimeError",
            "Function WrongShapeBackward returned an invalid gradient "
            "at index 0 - got [4] but expected shape compatible with [2, 3]",
        ),
        "SameSizeWrongShape": (
            "RuntimeError",
            "Function SameSizeWrongShapeBackward returned an "
            "invalid gradient at index 0 - got [6] but expected "
            "shape compatible with [2, 3]",
        ),
        "NoBackward": (
            "NotImplementedError",
            "You must implement either the backward or vjp method "
            "for your custom autograd.Function to use it with "
            "backward mode AD.",
        ),
    }[name]
    assert (kind, message) == expected


@pytest.mark.oracle
@pytest.mark.parametrize("name, make_inputs", BAD_FUNCTIONS, ids=[n for n, _ in BAD_FUNCTIONS])
def test_bad_custom_functions_fail_like_pytorch(pt, name, make_inputs):
    assert _error(minigrad, name, make_inputs) == _error(pt, name, make_inputs)


def test_gradient_broadcast_to_a_bigger_shape_is_summed_back():
    # PyTorch (validate_outputs) sums a gradient whose shape the input expands to
    x = minigrad.ones(3, requires_grad=True)
    MG["ExpandedGradient"].apply(x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [4.0, 4.0, 4.0])


@pytest.mark.oracle
def test_custom_function_results_match_pytorch(pt):
    def run(T):
        F = _functions(T)
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        y = T.tensor([3.0, -1.0], dtype=T.float64, requires_grad=True)
        out = F["Cube"].apply(F["Scale"].apply(x, 2.5, y))
        out.sum().backward()
        name = out.grad_fn.name()
        return values(out), values(x.grad), values(y.grad), name

    mine, theirs = run(minigrad), run(pt)
    for m, t in zip(mine[:3], theirs[:3]):
        np.testing.assert_allclose(m, t, rtol=1e-12)
    assert mine[3] == theirs[3] == "CubeBackward"


# -- autograd.functional ----------------------------------------------------------------------
def _f_single(T, x):
    return T.stack([(x * x).sum(), x.exp()[0] * x[1], x.tanh()[-1]])


def _f_pair(T, x, y):
    return (x @ y).sigmoid() * x[:, 0]


def test_jacobian_matches_finite_differences():
    x0 = np.array([0.3, -0.8, 1.2])
    jac = minigrad.autograd.functional.jacobian(lambda x: _f_single(minigrad, x), vec(x0))
    assert tuple(jac.shape) == (3, 3)
    for i in range(3):
        (row,) = finite_differences(lambda arrs: forward_value(_f_single, arrs)[i], [x0])
        np.testing.assert_allclose(values(jac)[i], row, rtol=1e-6, atol=1e-8)


def test_jacobian_of_several_inputs_and_vjp_match_finite_differences():
    x0, y0 = np.array([[0.3, -0.8], [1.2, 0.1]]), np.array([0.5, -1.5])
    jx, jy = minigrad.autograd.functional.jacobian(
        lambda x, y: _f_pair(minigrad, x, y), (vec(x0), vec(y0))
    )
    assert tuple(jx.shape) == (2, 2, 2) and tuple(jy.shape) == (2, 2)
    v = np.array([1.0, -2.0])
    out, (vx, vy) = minigrad.autograd.functional.vjp(
        lambda x, y: _f_pair(minigrad, x, y), (vec(x0), vec(y0)), vec(v, False)
    )
    np.testing.assert_allclose(values(out), forward_value(_f_pair, [x0, y0]))
    fx, fy = finite_differences(lambda arrs: float(forward_value(_f_pair, arrs) @ v), [x0, y0])
    np.testing.assert_allclose(values(vx), fx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(values(vy), fy, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(np.einsum("i,ijk->jk", v, values(jx)), fx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(v @ values(jy), fy, rtol=1e-6, atol=1e-8)


def test_vjp_of_a_scalar_function_needs_no_v_and_leaves_inputs_alone():
    x = vec([1.0, 2.0])
    out, g = minigrad.autograd.functional.vjp(lambda t: (t**2).sum(), x)
    np.testing.assert_array_equal(values(g), [2.0, 4.0])
    assert out.item() == 5.0 and x.grad is None and not out.requires_grad
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        minigrad.autograd.functional.vjp(lambda t: t * 2, x)


@pytest.mark.oracle
def test_functional_matches_torch_autograd_functional(pt):
    x0, y0 = np.array([[0.3, -0.8], [1.2, 0.1]]), np.array([0.5, -1.5])
    v = np.array([1.0, -2.0])

    def run(T):
        x, y = T.tensor(x0), T.tensor(y0)
        f = lambda a, b: _f_pair(T, a, b)
        jac = T.autograd.functional.jacobian(f, (x, y))
        out, grads = T.autograd.functional.vjp(f, (x, y), T.tensor(v))
        single = T.autograd.functional.jacobian(
            lambda a: _f_single(T, a), T.tensor(y0[:1].repeat(3))
        )
        return (
            [values(j) for j in jac] + [values(out)] + [values(g) for g in grads] + [values(single)]
        )

    for mine, theirs in zip(run(minigrad), run(pt)):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


# -- the step trace ---------------------------------------------------------------------------
def _graph():
    w = vec([[0.5, -1.0], [2.0, 0.25]])
    b = vec([0.1, -0.2])
    x = minigrad.tensor([1.0, 2.0], dtype=F64)
    loss = minigrad.nn.functional.binary_cross_entropy_with_logits(
        (x @ w + b).tanh() * 2, minigrad.tensor([1.0, 0.0], dtype=F64)
    )
    return loss, w, b


def test_replaying_backward_steps_gives_what_backward_gives():
    loss, w, b = _graph()
    loss.backward()
    loss2, w2, b2 = _graph()
    steps = list(minigrad.autograd.backward_steps(loss2))
    np.testing.assert_array_equal(values(w2.grad), values(w.grad))
    np.testing.assert_array_equal(values(b2.grad), values(b.grad))
    assert [s.index for s in steps] == list(range(len(steps)))
    leaves = {id(s.leaf): s for s in steps if isinstance(s.node, AccumulateGrad)}
    assert set(leaves) == {id(w2), id(b2)}
    np.testing.assert_array_equal(values(leaves[id(w2)].grad_after), values(w.grad))
    for s in steps:
        assert len(s.outgoing) == len(s.node.next_functions)
        for (child, _), g in zip(s.node.next_functions, s.outgoing):
            assert (child is None) == (g is None) or isinstance(s.node, AccumulateGrad)
        if not isinstance(s.node, AccumulateGrad):
            assert s.leaf is None


def test_step_values_by_hand():
    a, b = vec([1.0, 2.0]), vec([3.0, 4.0])
    steps = list(minigrad.autograd.backward_steps((a * b).sum()))
    assert [s.node.name() for s in steps] == [
        "SumBackward0",
        "MulBackward0",
        "torch::autograd::AccumulateGrad",
        "torch::autograd::AccumulateGrad",
    ]
    total, product = steps[0], steps[1]
    assert total.incoming.item() == 1.0
    np.testing.assert_array_equal(values(total.outgoing[0]), [1.0, 1.0])
    np.testing.assert_array_equal(values(product.incoming), [1.0, 1.0])
    np.testing.assert_array_equal(values(product.outgoing[0]), [3.0, 4.0])  # to a: b
    np.testing.assert_array_equal(values(product.outgoing[1]), [1.0, 2.0])  # to b: a
    assert {id(steps[2].leaf), id(steps[3].leaf)} == {id(a), id(b)}
    for s in steps[2:]:
        assert s.grad_before is None and s.outgoing == ()
    assert repr(steps[0]) == "BackwardStep(0, SumBackward0)"


def test_backward_steps_with_a_gradient_argument():
    x = vec([1.0, 2.0])
    steps = list(minigrad.autograd.backward_steps(x * 3, minigrad.tensor([1.0, -1.0], dtype=F64)))
    np.testing.assert_array_equal(values(x.grad), [3.0, -3.0])
    np.testing.assert_array_equal(values(steps[0].incoming), [1.0, -1.0])


def test_accumulate_false_is_a_dry_run():
    loss, w, b = _graph()
    steps = list(minigrad.autograd.backward_steps(loss, accumulate=False))
    assert w.grad is None and b.grad is None
    reference, w_ref, _ = _graph()
    reference.backward()
    after = {id(s.leaf): s.grad_after for s in steps if s.leaf is not None}
    np.testing.assert_array_equal(values(after[id(w)]), values(w_ref.grad))

    loss, w, b = _graph()
    w.grad = minigrad.ones(2, 2, dtype=F64)
    kept = w.grad
    steps = list(minigrad.autograd.backward_steps(loss, accumulate=False))
    assert w.grad is kept
    np.testing.assert_array_equal(values(w.grad), np.ones((2, 2)))
    step = next(s for s in steps if s.leaf is w)
    np.testing.assert_array_equal(values(step.grad_before), np.ones((2, 2)))
    np.testing.assert_array_equal(values(step.grad_after), 1 + values(w_ref.grad))
    assert b.grad is None


def test_accumulate_grad_steps_across_two_calls():
    x = vec([1.0, 2.0])
    y = (x * x).sum()
    first = [s for s in minigrad.autograd.backward_steps(y, retain_graph=True) if s.leaf is x]
    second = [s for s in minigrad.autograd.backward_steps(y) if s.leaf is x]
    assert len(first) == len(second) == 1
    assert first[0].grad_before is None
    np.testing.assert_array_equal(values(first[0].grad_after), [2.0, 4.0])
    np.testing.assert_array_equal(values(first[0].incoming), [2.0, 4.0])
    np.testing.assert_array_equal(values(second[0].grad_before), [2.0, 4.0])  # a copy, not aliased
    np.testing.assert_array_equal(values(second[0].grad_after), [4.0, 8.0])
    np.testing.assert_array_equal(values(x.grad), [4.0, 8.0])


def test_record_forward_collects_nodes_in_creation_order():
    w, b = vec([[1.0, 2.0], [3.0, 4.0]]), vec([0.5, 0.5])
    x = minigrad.ones(2, dtype=F64)
    with minigrad.autograd.record_forward() as rec:
        z = x @ w + b
        constant = x * 2  # needs no grad: no node
        with minigrad.no_grad():
            w * 3  # grad mode off: no node
        loss = z.sigmoid().sum()
    later = loss * 2  # after the block: not recorded
    assert [s.node.name() for s in rec.steps] == [
        "MmBackward0",
        "AddBackward0",
        "SigmoidBackward0",
        "SumBackward0",
    ]
    assert [s.index for s in rec] == [0, 1, 2, 3] and len(rec) == 4
    assert rec.steps[1].output is z and rec.steps[3].output is loss
    assert rec.steps[3].node is loss.grad_fn and constant.grad_fn is None
    assert later.grad_fn not in [s.node for s in rec.steps]
    assert repr(rec.steps[1]) == "ForwardStep(1, AddBackward0, shape=[2])"


def test_record_forward_records_nothing_under_no_grad():
    x = vec([1.0])
    with minigrad.autograd.record_forward() as rec, minigrad.no_grad():
        (x * 2).exp()
    assert rec.steps == []
