"""nn round 2 against PyTorch: Dropout, ReLU(inplace=True), nn.init and gradient clipping.

Random draws are minigrad's own (README: the numbers are not PyTorch's), so for Dropout and the
random initialisers the oracle fixes everything except the draw: reprs, nodes, the scale, the
bounds, the errors; the draws themselves are checked by their statistics with a fixed seed.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples, printed

pytestmark = pytest.mark.oracle


def _error(f):
    with pytest.raises(Exception) as info:
        f()
    return type(info.value), str(info.value)


# -- Dropout ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs", [{}, dict(p=0.3), dict(p=0.2, inplace=True), dict(p=0.0), dict(p=1)]
)
def test_dropout_repr_matches_pytorch(pt, kwargs):
    assert repr(minigrad.nn.Dropout(**kwargs)) == repr(pt.nn.Dropout(**kwargs))
    seq = lambda T: T.nn.Sequential(T.nn.Linear(2, 3), T.nn.Dropout(**kwargs), T.nn.ReLU())  # noqa: E731
    assert repr(seq(minigrad)) == repr(seq(pt))


@pytest.mark.parametrize("p", [0.1, 0.4, 0.5, 0.9])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_in_training_zeroes_and_scales_as_pytorch(pt, p, dtype):
    minigrad.manual_seed(5)
    x0 = np.random.default_rng(1).uniform(0.5, 2.0, (40, 50)).astype(dtype)
    outs = {}
    for T in (minigrad, pt):
        x = T.tensor(x0, requires_grad=True)
        y = T.nn.Dropout(p)(x)
        assert type(y.grad_fn).__name__ == "MulBackward0" and y.requires_grad
        assert y.dtype == getattr(T, dtype)
        (y * T.tensor(x0)).sum().backward()
        outs[T] = y.detach().numpy(), x.grad.numpy()
    (mine, my_grad), (theirs, _) = outs[minigrad], outs[pt]
    kept = mine != 0
    assert kept.any() and (~kept).any()
    # PyTorch's scale, 1/(1-p) in the tensor's dtype: what its dropout does to a tensor of ones
    ones = pt.nn.Dropout(p)(pt.ones(1000, dtype=getattr(pt, dtype))).numpy()
    scale = np.unique(ones[ones != 0])
    assert scale.shape == (1,)
    np.testing.assert_array_equal(mine, np.where(kept, x0 * scale[0], 0))  # bit for bit
    np.testing.assert_array_equal(my_grad, np.where(kept, scale[0], 0) * x0)
    assert abs((~kept).mean() - p) < 0.04  # 2000 draws: the share zeroed is about p


def test_dropout_follows_manual_seed_and_differs_between_calls():
    x = minigrad.ones(200)
    minigrad.manual_seed(11)
    a, b = minigrad.nn.functional.dropout(x), minigrad.nn.functional.dropout(x)
    minigrad.manual_seed(11)
    c = minigrad.nn.functional.dropout(x)
    assert minigrad.equal(a, c) and not minigrad.equal(a, b)


def test_dropout_eval_p0_and_p1_match_pytorch(pt):
    for T in (minigrad, pt):
        x = T.ones(2, 3, requires_grad=True)
        d = T.nn.Dropout(0.5)
        assert d.eval() is d and d.training is False
        assert d(x) is x  # eval: the input itself
        assert d.train().training and d(x) is not x
        assert T.nn.Dropout(0.0)(x) is x
        assert T.nn.functional.dropout(x, 0.5, training=False) is x
        y = T.nn.Dropout(1.0)(x)
        assert type(y.grad_fn).__name__ == "MulBackward0" and y.detach().tolist() == [[0.0] * 3] * 2
        seq = T.nn.Sequential(T.nn.Dropout(0.5), T.nn.Sequential(T.nn.Dropout(0.5)))
        seq.eval()
        assert not any(m.training for m in seq.modules())


def test_dropout_inplace_matches_pytorch(pt):
    for T in (minigrad, pt):
        x = T.ones(4, 5, requires_grad=True)
        z = x * 2
        y = T.nn.Dropout(0.5, inplace=True)(z)
        assert y is z and z._version == 1 and type(z.grad_fn).__name__ == "MulBackward0"
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.where(z.detach().numpy() != 0, 4.0, 0.0))
    assert _error(
        lambda: minigrad.nn.Dropout(0.5, inplace=True)(minigrad.ones(2, requires_grad=True))
    ) == _error(lambda: pt.nn.Dropout(0.5, inplace=True)(pt.ones(2, requires_grad=True)))


@pytest.mark.parametrize("case", ["module_high", "module_negative", "functional", "integer"])
def test_dropout_errors_match_pytorch(pt, case):
    calls = {
        "module_high": lambda T: T.nn.Dropout(1.01),
        "module_negative": lambda T: T.nn.Dropout(p=-0.5),
        "functional": lambda T: T.nn.functional.dropout(T.ones(3), 1.5),
        "integer": lambda T: T.nn.functional.dropout(T.ones(3, dtype=T.int64), 0.5),
    }
    assert _error(lambda: calls[case](minigrad)) == _error(lambda: calls[case](pt))


# -- ReLU(inplace=True) -------------------------------------------------------------------------
def test_relu_inplace_matches_pytorch(pt):
    assert (
        repr(minigrad.nn.ReLU(inplace=True))
        == repr(pt.nn.ReLU(inplace=True))
        == "ReLU(inplace=True)"
    )
    assert repr(minigrad.nn.ReLU()) == repr(pt.nn.ReLU()) == "ReLU()"
    values = np.array([[-1.0, 2.0, 0.5], [3.0, -0.2, -4.0]])
    seen = {}
    for T in (minigrad, pt):
        x = T.tensor(values, requires_grad=True)
        z = x * 3
        r = T.nn.ReLU(inplace=True)(z)
        assert r is z and z._version == 1
        assert type(z.grad_fn).__name__ == "ReluBackward0"
        (r * T.tensor(values)).sum().backward()
        seen[T] = r.detach().numpy(), x.grad.numpy(), repr(r).split("grad_fn")[1]
    for m, t in zip(seen[minigrad], seen[pt]):
        np.testing.assert_array_equal(m, t) if isinstance(m, np.ndarray) else None
        assert not isinstance(m, str) or m == t
    # on a leaf that requires grad: PyTorch's in-place error, and the leaf unchanged
    leaf = minigrad.tensor([-1.0, 1.0], requires_grad=True)
    assert _error(lambda: minigrad.nn.ReLU(inplace=True)(leaf)) == _error(
        lambda: pt.nn.ReLU(inplace=True)(pt.tensor([-1.0, 1.0], requires_grad=True))
    )
    assert leaf.tolist() == [-1.0, 1.0] and leaf._version == 0


def test_relu_inplace_after_a_saving_op_refuses_backward_as_pytorch(pt):
    """sigmoid saves its output; changing it in place must make backward refuse."""
    errors = []
    for T in (minigrad, pt):
        x = T.tensor([-1.0, 2.0], requires_grad=True)
        s = x.sigmoid()
        T.nn.ReLU(inplace=True)(s)
        errors.append(_error(lambda: s.sum().backward()))
    assert errors[0][0] is errors[1][0] is RuntimeError
    assert errors[1][1].startswith(errors[0][1].split(" Hint:")[0])


# -- nn.init ------------------------------------------------------------------------------------
SHAPES = [(3, 4), (5, 2), (6, 3, 2, 2), (4, 2, 5), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_pytorch(pt, shape):
    assert minigrad.nn.init._calculate_fan_in_and_fan_out(
        minigrad.ones(*shape)
    ) == pt.nn.init._calculate_fan_in_and_fan_out(pt.ones(*shape))


@pytest.mark.parametrize(
    "args",
    [
        ("linear",),
        ("conv2d",),
        ("sigmoid",),
        ("tanh",),
        ("relu",),
        ("leaky_relu",),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("selu",),
    ],
)
def test_calculate_gain_matches_pytorch(pt, args):
    mine, theirs = minigrad.nn.init.calculate_gain(*args), pt.nn.init.calculate_gain(*args)
    assert mine == theirs and type(mine) is type(theirs)


INIT_ERRORS = {
    "gain_unknown": lambda T: T.nn.init.calculate_gain("foo"),
    "gain_slope": lambda T: T.nn.init.calculate_gain("leaky_relu", "a"),
    "gain_slope_bool": lambda T: T.nn.init.calculate_gain("leaky_relu", True),
    "xavier_1d": lambda T: T.nn.init.xavier_uniform_(T.ones(3)),
    "xavier_normal_0d": lambda T: T.nn.init.xavier_normal_(T.tensor(1.0)),
    "kaiming_1d": lambda T: T.nn.init.kaiming_uniform_(T.ones(3)),
    "kaiming_mode": lambda T: T.nn.init.kaiming_normal_(T.ones(3, 4), mode="foo"),
    "kaiming_nonlinearity": lambda T: T.nn.init.kaiming_uniform_(T.ones(3, 4), nonlinearity="foo"),
    "uniform_bounds": lambda T: T.nn.init.uniform_(T.ones(2), 3, 1),
    "normal_std": lambda T: T.nn.init.normal_(T.ones(2), 0, -1),
    "uniform_int": lambda T: T.nn.init.uniform_(T.ones(2, dtype=T.int64)),
    "normal_int": lambda T: T.nn.init.normal_(T.ones(2, dtype=T.int64)),
    "xavier_int": lambda T: T.nn.init.xavier_normal_(T.ones(2, 3, dtype=T.int64)),
}


@pytest.mark.parametrize("case", sorted(INIT_ERRORS))
def test_init_errors_match_pytorch_and_change_nothing(pt, case):
    assert _error(lambda: INIT_ERRORS[case](minigrad)) == _error(lambda: INIT_ERRORS[case](pt))


def test_init_leaves_the_tensor_as_it_was_on_bad_input():
    w = minigrad.nn.Parameter(minigrad.ones(3, 4))
    with pytest.raises(ValueError):
        minigrad.nn.init.kaiming_uniform_(w, mode="foo")
    with pytest.raises(RuntimeError):
        minigrad.nn.init.uniform_(w, 2, 1)
    assert w.tolist() == [[1.0] * 4] * 3 and w._version == 0 and w.grad_fn is None


INITS = {
    "zeros_": lambda I, w: I.zeros_(w),
    "ones_": lambda I, w: I.ones_(w),
    "constant_": lambda I, w: I.constant_(w, 2.5),
    "uniform_": lambda I, w: I.uniform_(w, -0.3, 0.7),
    "normal_": lambda I, w: I.normal_(w, 1.0, 0.02),
    "xavier_uniform_": lambda I, w: I.xavier_uniform_(w, gain=2.0),
    "xavier_normal_": lambda I, w: I.xavier_normal_(w),
    "kaiming_uniform_": lambda I, w: I.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_normal_": lambda I, w: I.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
}


@pytest.mark.parametrize("name", sorted(INITS))
def test_init_returns_the_tensor_unrecorded_as_pytorch(pt, name):
    for T in (minigrad, pt):
        w = T.nn.Parameter(T.ones(3, 4))
        r = INITS[name](T.nn.init, w)
        assert r is w and w.requires_grad and w.grad_fn is None and w.is_leaf
        assert w._version == 1
        assert type(w).__name__ == "Parameter"
        z = T.ones(3, 4, requires_grad=True) * 2  # a non-leaf keeps its node
        assert INITS[name](T.nn.init, z) is z and type(z.grad_fn).__name__ == "MulBackward0"
    for T in (minigrad, pt):
        w = T.ones(3, 4, dtype=T.float64)
        INITS[name](T.nn.init, w)
        assert w.dtype == T.float64


@pytest.mark.parametrize("name", ["zeros_", "ones_", "constant_"])
def test_constant_inits_match_pytorch_values(pt, name):
    for dtype in ("float32", "int64"):
        mine = INITS[name](minigrad.nn.init, minigrad.ones(2, 3, dtype=getattr(minigrad, dtype)))
        theirs = INITS[name](pt.nn.init, pt.ones(2, 3, dtype=getattr(pt, dtype)))
        assert repr(mine) == repr(theirs)


def _expected_std(name, shape):
    fan_in, fan_out = shape[1] * math.prod(shape[2:]), shape[0] * math.prod(shape[2:])
    return {
        "uniform_": 1.0 / math.sqrt(12),  # U(-0.3, 0.7)
        "normal_": 0.02,
        "xavier_uniform_": 2.0 * math.sqrt(2.0 / (fan_in + fan_out)),
        "xavier_normal_": math.sqrt(2.0 / (fan_in + fan_out)),
        "kaiming_uniform_": math.sqrt(2.0 / (1 + 5)) / math.sqrt(fan_in),
        "kaiming_normal_": math.sqrt(2.0) / math.sqrt(fan_out),
    }[name]


@pytest.mark.parametrize(
    "name",
    [
        "uniform_",
        "normal_",
        "xavier_uniform_",
        "xavier_normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
    ],
)
@pytest.mark.parametrize("shape", [(200, 300), (64, 32, 3, 3)])
def test_random_inits_have_pytorchs_distribution(pt, name, shape):
    """Same spread as PyTorch's (its own draws checked the same way), uniform ones inside the
    same bound; the mean as expected."""
    minigrad.manual_seed(2)
    pt.manual_seed(2)
    mine = INITS[name](minigrad.nn.init, minigrad.empty(*shape)).numpy()
    theirs = INITS[name](pt.nn.init, pt.empty(*shape)).numpy()
    expected = _expected_std(name, shape)
    for values in (mine, theirs):
        np.testing.assert_allclose(values.std(), expected, rtol=0.03)
        mean = {"uniform_": 0.2, "normal_": 1.0}.get(name, 0.0)
        assert abs(values.mean() - mean) < 0.01 * max(1.0, expected * 10)
    if "uniform" in name:
        assert (
            mine.min() >= theirs.min() - 0.01 * expected
            and mine.max() <= theirs.max() + 0.01 * expected
        )
        assert np.isclose(mine.max() - mine.min(), theirs.max() - theirs.min(), rtol=1e-3)


def test_random_inits_follow_manual_seed():
    draws = []
    for _ in range(2):
        minigrad.manual_seed(9)
        draws.append(minigrad.nn.init.kaiming_uniform_(minigrad.empty(3, 4)).tolist())
    assert draws[0] == draws[1]


def test_kaiming_on_zero_elements_warns_as_pytorch(pt):
    messages = []
    for T in (minigrad, pt):
        w = T.ones(0, 3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert T.nn.init.kaiming_uniform_(w) is w
        messages.append([(c.category, str(c.message)) for c in caught])
    assert messages[0] == messages[1] and messages[0]


# -- gradient clipping --------------------------------------------------------------------------
NORM_TYPES = [2.0, 1, 3.0, 0.5, "inf", float("inf"), -float("inf"), 0]


def _clip_run(T, arrays, max_norm, norm_type, dtype):
    params = [T.nn.Parameter(T.ones(*a.shape, dtype=dtype)) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = T.tensor(a, dtype=dtype)
    params.append(T.nn.Parameter(T.ones(2, dtype=dtype)))  # no grad: skipped
    total = T.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return total, [p.grad.numpy() for p in params[:-1]], params[-1].grad


@settings(max_examples=examples(0.5))
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 3),
    norm_type=st.sampled_from(NORM_TYPES),
    max_norm=st.sampled_from([0.1, 1.0, 5.0, 1e3]),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_clip_grad_norm_matches_pytorch(pt, seed, n, norm_type, max_norm, dtype):
    rng = np.random.default_rng(seed)
    arrays = [
        rng.standard_normal(tuple(rng.integers(1, 4, size=rng.integers(1, 3)))) for _ in range(n)
    ]
    m_total, m_grads, m_none = _clip_run(
        minigrad, arrays, max_norm, norm_type, getattr(minigrad, dtype)
    )
    t_total, t_grads, t_none = _clip_run(pt, arrays, max_norm, norm_type, getattr(pt, dtype))
    tol = 1e-12 if dtype == "float64" else 2e-6
    assert m_none is None and t_none is None
    assert m_total.dtype == getattr(minigrad, dtype) and m_total.shape == t_total.shape == ()
    assert not m_total.requires_grad
    np.testing.assert_allclose(m_total.item(), t_total.item(), rtol=tol)
    for m, t in zip(m_grads, t_grads):
        np.testing.assert_allclose(m, t, rtol=tol, atol=tol)


def test_clip_grad_norm_by_hand_and_repr(pt):
    for T in (minigrad, pt):
        w = T.nn.Parameter(T.ones(2))
        w.grad = T.tensor([3.0, 4.0])
        total = T.nn.utils.clip_grad_norm_(w, 1.0)
        assert repr(total) == "tensor(5.)"
        np.testing.assert_allclose(w.grad.numpy(), [0.6, 0.8], rtol=1e-6)
        assert w.grad._version == 1
        w.grad = T.tensor([3.0, 4.0])
        assert T.nn.utils.clip_grad_norm_([w], 10.0).item() == 5.0 and w.grad.tolist() == [3.0, 4.0]
        assert repr(T.nn.utils.clip_grad_norm_([T.nn.Parameter(T.ones(1))], 1.0)) == "tensor(0.)"


def test_clip_grad_norm_nonfinite_and_empty_generator_match_pytorch(pt):
    results = []
    for T in (minigrad, pt):
        w = T.nn.Parameter(T.ones(2))
        w.grad = T.tensor([3.0, float("nan")])
        error = _error(lambda: T.nn.utils.clip_grad_norm_(w, 1.0, error_if_nonfinite=True))
        assert np.isnan(w.grad.numpy()[1]) and w.grad.numpy()[0] == 3.0  # untouched
        w.grad = T.tensor([3.0, float("inf")])
        total = T.nn.utils.clip_grad_norm_(w, 1.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            empty = T.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        results.append(
            (
                error,
                repr(total),
                repr(w.grad),
                repr(empty),
                [(c.category, str(c.message)) for c in caught],
            )
        )
    assert results[0] == results[1]


@pytest.mark.parametrize("clip", [0.5, 3, 10.0])
def test_clip_grad_value_matches_pytorch(pt, clip):
    seen = []
    for T in (minigrad, pt):
        a = T.nn.Parameter(T.ones(3))
        b = T.nn.Parameter(T.ones(2, 2))
        a.grad = T.tensor([3.0, -4.0, 0.25])
        b.grad = T.tensor([[-0.7, 12.0], [0.1, -20.0]])
        assert T.nn.utils.clip_grad_value_([a, b, T.nn.Parameter(T.ones(1))], clip) is None
        T.nn.utils.clip_grad_value_(a, clip)
        seen.append((repr(a.grad), repr(b.grad)))
    assert seen[0] == seen[1]


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["cross_entropy_label_smoothing"] = """
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0], [0.3, 0.3, -0.2]], requires_grad=True)
    t = torch.tensor([2, 0, 1])
    w = torch.tensor([0.2, 1.0, 3.0])
    for kw in ({"label_smoothing": 0.1}, {"label_smoothing": 0.25, "reduction": "sum"}, {"label_smoothing": 0.3, "reduction": "none"},
               {"label_smoothing": 0.1, "weight": w}, {"label_smoothing": 0.2, "weight": w, "reduction": "none"}, {"label_smoothing": 0.1, "ignore_index": 0},
               {"label_smoothing": 0.1, "ignore_index": 1, "weight": w}, {"label_smoothing": 1.0}, {"label_smoothing": 0.0}):
        loss = F.cross_entropy(x, t, **{k: v for k, v in kw.items()})
        print(kw.get("label_smoothing"), loss)
        g, = torch.autograd.grad(loss.sum(), x)
        print(g)
    p = torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    print(F.cross_entropy(x, p, label_smoothing=0.2), F.cross_entropy(x, p, label_smoothing=0.2, reduction="none"))
    print(F.cross_entropy(x[0], t[0], label_smoothing=0.2), torch.nn.CrossEntropyLoss(label_smoothing=0.1)(x, t))
    for bad in (1.5, -0.1):
        try:
            F.cross_entropy(x, t, label_smoothing=bad)
        except RuntimeError as e:
            print("RuntimeError", e)
"""
PRINTED_SNIPPETS["nll_target_errors"] = """
    F = torch.nn.functional
    x = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]], requires_grad=True)
    for f in [lambda: F.nll_loss(x, torch.tensor([0, 1, 2.])), lambda: F.nll_loss(x, torch.tensor([0, 1, 2])), lambda: F.nll_loss(x, torch.tensor([0, 1], dtype=torch.int32)),
              lambda: F.nll_loss(x, torch.tensor([0, 1], dtype=torch.uint8)), lambda: F.nll_loss(x, torch.tensor([0., 1.])), lambda: F.cross_entropy(x, torch.tensor([0, 1], dtype=torch.uint8)),
              lambda: F.cross_entropy(x, torch.tensor([0., 1., 1.])), lambda: F.cross_entropy(x, torch.tensor([[0., 1., 1.]])), lambda: F.cross_entropy(x, torch.tensor([0, 1, 1])),
              lambda: F.nll_loss(x, torch.tensor([[0, 1]])), lambda: F.nll_loss(x[0], torch.tensor(1)), lambda: F.nll_loss(x[0], torch.tensor([1])),
              lambda: F.nll_loss(x, torch.tensor([True, False])), lambda: F.cross_entropy(x, torch.tensor([1.0, 0.0])), lambda: F.cross_entropy(x, torch.tensor([0, 1], dtype=torch.int32)),
              lambda: F.cross_entropy(x, torch.ones(2, 3, dtype=torch.int64)), lambda: F.nll_loss(x, torch.tensor(1)), lambda: torch.nn.CrossEntropyLoss()(x, torch.tensor([1.0, 0.0]))]:
        try:
            print('ok', f())
        except Exception as e:
            print(type(e).__name__, e)
    print(x.grad)
"""
PRINTED_SNIPPETS["loss_modules_args"] = """
    x = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0], [0.3, 0.3, -0.2]], requires_grad=True)
    t = torch.tensor([2, 0, 1])
    w = torch.tensor([0.2, 1.0, 3.0])
    for m in (torch.nn.CrossEntropyLoss(w), torch.nn.CrossEntropyLoss(weight=w, ignore_index=0), torch.nn.CrossEntropyLoss(label_smoothing=0.1, reduction="sum"),
              torch.nn.NLLLoss(w), torch.nn.NLLLoss(ignore_index=2, reduction="none"), torch.nn.CrossEntropyLoss(reduce=False), torch.nn.NLLLoss(size_average=False)):
        print(m, m.reduction, m(x if not isinstance(m, torch.nn.CrossEntropyLoss) else x, t))
    p = torch.tensor([0.2, 0.9, 0.5], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0])
    print(torch.nn.BCELoss(w)(p, y), torch.nn.BCELoss(reduction="none")(p, y), torch.nn.BCEWithLogitsLoss(pos_weight=w)(p, y), torch.nn.MSELoss(reduction="sum")(p, y), torch.nn.MSELoss(reduce=False)(p, y))
    g, = torch.autograd.grad(torch.nn.CrossEntropyLoss(ignore_index=1)(x, t), x)
    print(g)
    g, = torch.autograd.grad(torch.nn.functional.nll_loss(x, t, ignore_index=0), x)
    print(g)
"""
PRINTED_SNIPPETS["module_assign_before_init"] = """
    class Net(torch.nn.Module):
        def __init__(self):
            self.size = 3
            print("plain attribute ok", self.size)
            try:
                self.fc = torch.nn.Linear(2, 2)
            except AttributeError as e:
                print("AttributeError", e)
            try:
                self.w = torch.nn.Parameter(torch.ones(1))
            except AttributeError as e:
                print("AttributeError", e)
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)
    n = Net()
    print(n, n.size)
"""
PRINTED_SNIPPETS["linear_dtypes"] = """
    F = torch.nn.functional
    w = torch.ones(2, 3); b = torch.ones(2)
    for f in [lambda: F.linear(torch.ones(3, dtype=torch.float64), w, b), lambda: F.linear(torch.ones(4, 3, dtype=torch.float64), w, b), lambda: F.linear(torch.ones(2, 4, 3, dtype=torch.float64), w, b),
              lambda: F.linear(torch.ones(4, 3, dtype=torch.float64), w), lambda: F.linear(torch.ones(4, 3), w, b.double()), lambda: F.linear(torch.ones(3), w), lambda: F.linear(torch.ones(4, 3, dtype=torch.float64), w.double(), b),
              lambda: torch.nn.Linear(3, 2)(torch.ones(3, dtype=torch.float64))]:
        try:
            print(f().dtype)
        except Exception as e:
            print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["parameter_behaviour"] = """
    p = torch.nn.Parameter(torch.ones(2))
    print(isinstance(p, torch.Tensor), p.requires_grad, p.is_leaf, type(p * 2).__name__, type(p.detach()).__name__, type(p.data).__name__, type(p.clone()).__name__)
    with torch.no_grad():
        p.mul_(3)
    print(p)
    try:
        p.mul_(3)
    except RuntimeError as e:
        print("RuntimeError", e)
    q = torch.nn.Parameter(torch.tensor([1, 2]), requires_grad=False) if False else None
    try:
        torch.nn.Parameter(torch.tensor([1, 2]))
    except RuntimeError as e:
        print("RuntimeError", e)
"""
PRINTED_SNIPPETS["sequential_api"] = """
    m = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    print(len(m), type(m[1]).__name__, m[-1], type(m[0:2]).__name__ if hasattr(m, '__getitem__') else '')
    m.append(torch.nn.Sigmoid()) if hasattr(m, 'append') else None
    print(m)
    for name, mod in m.named_children():
        print(name, type(mod).__name__)
    print([n for n, _ in m.named_parameters()])
    m.zero_grad()
    print(all(p.grad is None for p in m.parameters()))
"""
PRINTED_SNIPPETS["softmax_dim_none_warning"] = """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    print(torch.nn.functional.softmax(x, dim=-1))
    print(torch.nn.functional.softmax(x))
"""
PRINTED_SNIPPETS["state_dict_roundtrip"] = """
    m = torch.nn.Linear(2, 1)
    sd = m.state_dict()
    print(list(sd.keys()), type(sd).__name__, sd["weight"].requires_grad)
    m2 = torch.nn.Linear(2, 1)
    print(m2.load_state_dict(sd))
    print(torch.equal(m2.weight, m.weight))
"""
PRINTED_SNIPPETS["bce_edge_and_errors"] = """
    F = torch.nn.functional
    p = torch.tensor([0.0, 1.0, 0.5], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0])
    print(F.binary_cross_entropy(p, y))
    l = F.binary_cross_entropy(p, torch.tensor([1.0, 0.0, 1.0]))
    print(l)
    l.backward()
    print(p.grad)
    try:
        F.binary_cross_entropy(p, torch.tensor([1, 0, 1]))
    except Exception as e:
        print(type(e).__name__, e)
    try:
        F.binary_cross_entropy_with_logits(p, torch.tensor([1, 0, 1]))
    except Exception as e:
        print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["mse_int_and_float64_targets"] = """
    F = torch.nn.functional
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for t in (torch.tensor([0, 2]), torch.tensor([1.0, 3.0], dtype=torch.float64), torch.tensor(1.0)):
        loss = F.mse_loss(x, t)
        g, = torch.autograd.grad(loss, x, create_graph=True)
        print(loss, g)
"""
PRINTED_SNIPPETS["module_double_and_to"] = """
    m = torch.nn.Linear(2, 1)
    for f in (lambda: m.double(), lambda: m.float(), lambda: m.to(torch.float64), lambda: m.to("cpu"), lambda: m.cpu(), lambda: m.requires_grad_(False), lambda: m.train(), lambda: m.eval()):
        try:
            r = f()
            print(type(r).__name__, r is m, m.weight.dtype, m.weight.requires_grad, type(m.weight).__name__)
        except Exception as e:
            print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["module_params_nested"] = """
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)
            self.scale = torch.nn.Parameter(torch.ones(1))
        def forward(self, x):
            return self.lin(x) * self.scale
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Block()
            self.b = torch.nn.Sequential(Block(), torch.nn.ReLU())
        def forward(self, x):
            return self.b(self.a(x))
    n = Net()
    print([k for k, _ in n.named_parameters()])
    print(len(list(n.parameters(recurse=False))) if True else '', [k for k, _ in n.named_modules()])
    print(list(n.state_dict().keys()))
    print(n)
    x = torch.ones(3, 2)
    print(n(x).shape, n(x).grad_fn.name())
"""
PRINTED_SNIPPETS["module_getattr_errors"] = """
    m = torch.nn.Linear(2, 1)
    try:
        m.nope
    except AttributeError as e:
        print("AttributeError", e)
    try:
        torch.nn.Sequential(torch.nn.ReLU())[3]
    except IndexError as e:
        print("IndexError", e)
    m.weight = torch.nn.Parameter(torch.zeros(1, 2))
    print([k for k, _ in m.named_parameters()], m.weight)
    try:
        m.weight = torch.zeros(1, 2)
    except TypeError as e:
        print("TypeError", e)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
