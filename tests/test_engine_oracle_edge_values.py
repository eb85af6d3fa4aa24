"""Where a formula meets 0, inf or nan: the same gradients as PyTorch, and no numpy
RuntimeWarning (PyTorch computes inf and nan silently; anomaly mode is how one finds them)."""

import warnings

import numpy as np
import pytest

import minigrad
from engine_helpers import printed

pytestmark = pytest.mark.oracle

CASES = {
    "sqrt at 0": (lambda T, x: x.sqrt(), [0.0, 4.0]),
    "sqrt at 0 times 0": (
        lambda T, x: x.sqrt() * T.tensor([0.0, 1.0], dtype=T.float64),
        [0.0, 4.0],
    ),
    "log at 0": (lambda T, x: x.log(), [0.0, 2.0]),
    "log1p at -1": (lambda T, x: x.log1p(), [-1.0, 2.0]),
    "x / x at 0": (lambda T, x: x / x, [0.0, 2.0]),
    "x ** 0.5 at 0": (lambda T, x: x**0.5, [0.0, 2.0]),
    "x ** -1 at 0": (lambda T, x: x**-1, [0.0, 2.0]),
    "0 ** x": (lambda T, x: 0.0**x, [0.0, 1.0, -1.0]),
    "2 ** x": (lambda T, x: 2.0**x, [0.0, 1.0, -1.0]),
    "x ** x": (lambda T, x: x**x, [0.0, 1.0, 2.0]),
    "x ** 0 as a tensor": (lambda T, x: x ** T.zeros(3, dtype=T.float64), [0.0, 1.0, 2.0]),
    "logsumexp of log": (lambda T, x: x.log().logsumexp(0), [0.0, 1.0]),
}


def _grads(T, fn, values):
    x = T.tensor(values, dtype=T.float64, requires_grad=True)
    out = fn(T, x)
    out.sum().backward()
    first = x.grad.numpy().copy()
    x2 = T.tensor(values, dtype=T.float64, requires_grad=True)
    (g,) = T.autograd.grad(fn(T, x2).sum(), x2, create_graph=True)
    return out.detach().numpy(), first, g.detach().numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch_without_warnings(pt, name):
    fn, values = CASES[name]
    theirs = _grads(pt, fn, values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        mine = _grads(minigrad, fn, values)
        steps = list(
            minigrad.autograd.backward_steps(
                fn(
                    minigrad, minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
                ).sum()
            )
        )
    assert steps
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m, t, rtol=1e-12, atol=0)  # inf and nan must match too


def test_numpy_warns_again_between_steps():
    """Only the engine's own arithmetic is quiet: the caller's code between steps is not."""
    x = minigrad.tensor([0.0, 4.0], requires_grad=True)
    steps = minigrad.autograd.backward_steps(x.sqrt().sum())
    next(steps)
    with pytest.warns(RuntimeWarning):
        np.float64(1.0) / np.float64(0.0)
    list(steps)


@pytest.mark.parametrize("size", [(3,), (1, 3), (2, 1), (1, 1), (2, 3), (4,), (3, 3)])
def test_sum_to_size_matches_pytorch(pt, size):
    results = []
    for T in (minigrad, pt):
        x = T.arange(6.0).reshape(2, 3).requires_grad_()
        try:
            y = x.sum_to_size(size)
        except RuntimeError as error:
            results.append(("error", str(error)))
            continue
        y.backward(T.ones_like(y))
        name = None if y.grad_fn is None else type(y.grad_fn).__name__
        results.append((y.tolist(), name, x.grad.tolist()))
    assert results[0] == results[1]


ZERO_DIM = [
    ("int32", "int64"),
    ("float32", "float64"),
    ("int64", "float32"),
    ("int32", "bool"),
    ("bool", "int64"),
    ("float64", "float32"),
    ("int16", "float64"),
]


@pytest.mark.parametrize("shaped, zero_d", ZERO_DIM)
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "//", "**"])
def test_a_zero_dim_tensor_does_not_widen_a_shaped_one(pt, shaped, zero_d, op):
    """PyTorch's promotion: a 0-d tensor counts only when it is of a higher kind."""
    results = []
    for T in (minigrad, pt):
        a = T.tensor([1, 2, 3]).to(getattr(T, shaped))
        b = T.tensor(2).to(getattr(T, zero_d))
        try:
            out = eval(f"a {op} b"), eval(f"b {op} a")
            results.append([repr(o.dtype) for o in out] + [o.tolist() for o in out])
        except RuntimeError as error:
            results.append(str(error))
    assert results[0] == results[1]


@pytest.mark.parametrize("case", ["m - 1", "1 - m", "m - m", "i - m", "m - i"])
def test_bool_subtraction_is_refused_as_in_pytorch(pt, case):
    messages = []
    for T in (minigrad, pt):
        m, i = T.tensor([True, False]), T.tensor([1, 2])  # noqa: F841  (used by eval)
        with pytest.raises(RuntimeError) as error:
            eval(case)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["nan_reductions"] = """
    x = torch.tensor([1.0, float('nan'), 3.0], requires_grad=True)
    for f in (lambda x: x.amax(), lambda x: x.max(0).values, lambda x: x.sort().values, lambda x: x.clamp(0, 2), lambda x: x.relu(), lambda x: x.sum(), lambda x: x.logsumexp(0), lambda x: x.softmax(0), lambda x: x.norm(), lambda x: x.cumsum(0), lambda x: x.prod()):
        y = f(x)
        g, = torch.autograd.grad(y.sum(), x)
        print(y, g)
    print(x.argsort(), x.sort().indices)
"""
PRINTED_SNIPPETS["softmax_with_inf"] = """
    x = torch.tensor([[0.0, float('-inf'), 1.0], [float('-inf'), float('-inf'), float('-inf')]], requires_grad=True)
    s_ = x.softmax(1)
    print(s_, x.log_softmax(1))
    g, = torch.autograd.grad(s_[0].sum(), x)
    print(g)
    y = torch.tensor([[0.0, float('-inf'), 1.0]], requires_grad=True)
    l = torch.nn.functional.cross_entropy(y, torch.tensor([2]))
    l.backward()
    print(l, y.grad)
"""
PRINTED_SNIPPETS["activation_grads_edges"] = """
    x = torch.tensor([-100.0, -1.0, 0.0, 1.0, 100.0], requires_grad=True)
    for f in (torch.sigmoid, torch.tanh, torch.relu, torch.nn.functional.softmax, torch.exp, lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, torch.ones(5))):
        y = f(x, 0) if f is torch.nn.functional.softmax else f(x)
        g, = torch.autograd.grad(y.sum(), x)
        print(y, g)
"""
PRINTED_SNIPPETS["log_and_sqrt_of_zero"] = """
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    for f in (torch.log, torch.sqrt, lambda t: t ** 0.5, lambda t: t ** -1, lambda t: 1 / t, lambda t: t.reciprocal(), lambda t: t.abs(), lambda t: t.norm(), torch.log1p):
        y = f(x)
        g, = torch.autograd.grad(y.sum(), x)
        print(y, g)
"""

PRINTED_SNIPPETS["sign_of_nan_is_zero"] = """
    x = torch.tensor([float('nan'), -1.0, 0.0, 2.0], requires_grad=True)
    print(torch.sign(x), x.sgn(), torch.tensor(float('nan'), dtype=torch.float64).sign())
    x.abs().sum().backward()
    print(x.grad)
    y = torch.tensor([-1.0, 4.0], requires_grad=True)
    y.sqrt().sum().abs().backward()
    print(y.grad)
"""
PRINTED_SNIPPETS["means_of_nothing_are_nan_silently"] = """
    F = torch.nn.functional
    x = torch.zeros(2, 0, requires_grad=True)
    v = x.var((1, 0), keepdim=True)
    v.sum().backward()
    print(v, x.grad)
    e = torch.zeros(0, 3, requires_grad=True)
    print(F.mse_loss(e, torch.zeros(0, 3)), F.binary_cross_entropy_with_logits(e, torch.zeros(0, 3)))
    print(F.cross_entropy(torch.ones(2, 3, requires_grad=True), torch.tensor([1, 1]), ignore_index=1))
"""
PRINTED_SNIPPETS["softmax_of_empty_and_mv_of_zero_dim"] = """
    F = torch.nn.functional
    x = torch.zeros(0, requires_grad=True)
    for f in (lambda: F.log_softmax(x, 0), lambda: F.softmax(x, 0), lambda: torch.zeros(2, 0).softmax(1), lambda: torch.zeros(0, 3).log_softmax(1), lambda: torch.tensor(1.0).mv(torch.ones(2)), lambda: torch.ones(2).mv(torch.ones(2))):
        try:
            print(f())
        except (IndexError, RuntimeError) as e:
            print(type(e).__name__, e)
    y = F.log_softmax(x, 0)
    y.backward(torch.zeros(0))
    print(x.grad)
"""
PRINTED_SNIPPETS["var_of_empty_warns"] = """
    for shape, kw in (((1, 3, 0), dict(dim=0, unbiased=False)), ((2, 0), dict(dim=1)), ((0,), {})):
        for f in ("var", "std"):
            x = torch.zeros(shape, requires_grad=True)
            y = getattr(x, f)(**kw)
            y.sum().backward()
            print(f, y, x.grad)
"""
PRINTED_SNIPPETS["nll_gradient_with_every_row_ignored_or_an_inf_gradient"] = """
    F = torch.nn.functional
    x0 = torch.tensor([[-1.96, 1.73, 1.0], [-0.48, 0.11, -0.26]], dtype=torch.float64, requires_grad=True)
    v1 = F.cross_entropy(x0, torch.tensor([0, 0]), ignore_index=0)
    (0.5 / (v1 * v1)).backward()
    print(v1, x0.grad)
    x = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(x, torch.tensor(0), ignore_index=0)
    loss.backward()
    print(loss, x.grad)
    x0 = torch.tensor([[1.0, -0.94, -0.77], [1.38, 1.35, -1.23], [0.0, 0.88, -0.63]], requires_grad=True)
    v = F.cross_entropy(x0, torch.tensor([0, 0, 2]))
    (torch.log((v * v).unsqueeze(-1).abs() + 0.1) / x0).sum().backward()
    print(x0.grad)
"""

PRINTED_SNIPPETS["var_without_degrees_of_freedom_gradient"] = """
    for vals, kw in ((0.63, {}), ([0.63], {}), ([0.5, 1.5], dict(correction=2)), ([[0.63]], dict(dim=0)), ([1.0, 2.0, 3.0], {})):
        for f in ("var", "std"):
            x = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
            y = getattr(x, f)(**kw)
            (g,) = torch.autograd.grad(y.sum().floor() + y.sum() * 3, x, create_graph=True)
            print(f, g.detach(), g.requires_grad)
            getattr(x, f)(**kw).sum().backward()
            print(x.grad)
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
