"""Gradients of gradients against PyTorch, for every op of engine_cases.py.

With ``create_graph=True`` the first gradient must require grad exactly when PyTorch's does (a
gradient through relu, abs or nll_loss does, though its own derivative is 0), its grad_fn must
carry PyTorch's name (``TanhBackwardBackward0``, ``ThresholdBackwardBackward0``, ...), and the
second gradient must have PyTorch's values.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_cases import CASES
from engine_helpers import examples, printed

pytestmark = pytest.mark.oracle

# Where the first gradient's grad_fn is named differently, listed in README.md ("Where minigrad
# differs"): PyTorch's matrix-product backward formulas end in transposes and views that depend
# on the shapes (minigrad: the product itself, and for vector @ matrix one node, see
# test_engine_oracle_ops.NAME_DIFFERENCES); binary_cross_entropy and pow with a tensor exponent
# have one formula node (or a where) in PyTorch and a few ordinary ops in minigrad; a[key] = v
# routes the value's gradient through PyTorch's clone and view nodes; prod of a tensor holding a
# zero: PyTorch's formula ends in a view (ViewBackward0), minigrad's in the product (MulBackward0).
NAME_DIFFERENCES = {
    "binary_cross_entropy",
    "composite_tutorial_graph",
    "linear",
    "matmul_2d_2d",
    "matmul_batched_matrix",
    "matmul_batched_vector",
    "matmul_broadcast_batched",
    "matmul_function",
    "matmul_matrix_batched",
    "matmul_vector_batched",
    "mm",
    "pow_tensor",
    "prod",
    "setitem_nonleaf",
    "vector_matrix",
}


def _first_and_second(T, case, v, u):
    xs = [T.tensor(np.array(a), dtype=T.float64, requires_grad=True) for a in case.arrays]
    out = case.fn(T, *xs)
    firsts = T.autograd.grad(out, xs, T.tensor(v), create_graph=True, allow_unused=True)
    described = [
        None
        if g is None
        else (g.requires_grad, type(g.grad_fn).__name__ if g.grad_fn is not None else None)
        for g in firsts
    ]
    terms = [
        (g * T.tensor(w)).sum() for g, w in zip(firsts, u) if g is not None and g.requires_grad
    ]
    if not terms:
        return described, None
    seconds = T.autograd.grad(sum(terms[1:], terms[0]), xs, allow_unused=True)
    return described, [None if g is None else g.detach().numpy(force=True) for g in seconds]


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=examples(0.3))
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_gradient_of_gradient_matches_pytorch(pt, name, data, seed):
    case = data.draw(CASES[name][0], label="case")
    rng = np.random.default_rng(seed)
    with pt.no_grad():
        shape = tuple(case.fn(pt, *[pt.tensor(a) for a in case.arrays]).shape)
    v = rng.standard_normal(shape)
    u = [rng.standard_normal(np.shape(a)) for a in case.arrays]
    theirs, theirs_second = _first_and_second(pt, case, v, u)
    mine, mine_second = _first_and_second(minigrad, case, v, u)
    assert [d and d[0] for d in mine] == [d and d[0] for d in theirs], case.note  # requires_grad
    if name not in NAME_DIFFERENCES:
        assert mine == theirs, case.note
    assert (mine_second is None) == (theirs_second is None)
    for m, t in zip(mine_second or (), theirs_second or ()):
        if m is None and t is None:
            continue
        if m is None or t is None:  # unused on one side: the other must be all zeros
            assert np.allclose(m if t is None else t, 0, atol=1e-12)
        else:
            np.testing.assert_allclose(m, t, rtol=1e-7, atol=1e-9)


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["mixed_dtype_grads"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    y = (x * w).sum()
    print(y.dtype)
    y.backward()
    print(x.grad, x.grad.dtype, w.grad.dtype)
    g = torch.autograd.grad((x * w).sum(), [x, w], create_graph=True)
    print(g[0].dtype, g[1].dtype, g[0])
    g = torch.autograd.grad((x + w).sum(), [x, w])
    print(g[0].dtype, g[1].dtype)
    g = torch.autograd.grad(torch.nn.functional.mse_loss(x, w), [x, w], create_graph=True)
    print(g[0].dtype, g[1].dtype)
    h = x * torch.tensor(2.0, dtype=torch.float64)
    print(h.dtype)
"""
PRINTED_SNIPPETS["mixed_dtype_backward_create_graph"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    (x * w).sum().backward(create_graph=True)
    print(x.grad, w.grad)
"""

PRINTED_SNIPPETS["bmm_gradient_nodes"] = """
    a = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 1.0]]], requires_grad=True)
    b = torch.tensor([[[1.0, -2.0, 1.0], [0.0, 4.0, 1.0]], [[0.5, -1.0, 3.0], [2.0, 1.0, -1.0]]], requires_grad=True)
    ga, gb = torch.autograd.grad(torch.bmm(a, b).sum(), (a, b), create_graph=True)
    print(ga, gb)
    print(torch.autograd.grad((ga * gb.sum()).sum(), (a, b)))
"""
PRINTED_SNIPPETS["mixed_dtype_gradient_reaches_each_tensor_in_its_dtype"] = """
    x0 = torch.tensor([-1.69, -1.1], dtype=torch.float64, requires_grad=True)
    x1 = torch.tensor([-0.23, -1.59], requires_grad=True)
    v1 = torch.maximum(x1, x0)
    h1 = x1.register_hook(lambda g: print("leaf hook", g))
    gs = torch.autograd.grad((torch.sigmoid(v1) / 2).sum(), [x0, x1], create_graph=True)
    print(gs)
    print(torch.autograd.grad(sum((g * g).sum() for g in gs), [x0, x1]))
    a = torch.tensor([[-0.96, 0.46]], requires_grad=True)
    b = a.div(3)
    b.register_hook(lambda g: print("hook", g))
    (b.abs() ** torch.tensor([[-1.7, -1.5]], dtype=torch.float64)).sum().backward()
    print(a.grad)
"""
PRINTED_SNIPPETS["gradient_nodes_of_picking_ops"] = """
    ops = {
        "gather": lambda x: x.gather(1, torch.tensor([[0, 0, 1], [2, 1, 1]])),
        "index_select": lambda x: x.index_select(1, torch.tensor([2, 0])),
        "sort": lambda x: x.sort(1)[0],
        "topk": lambda x: x.topk(2)[0],
        "median": lambda x: x.median(1)[0],
        "max": lambda x: x.max(1)[0],
        "min": lambda x: x.min(0, keepdim=True).values,
        "masked_select": lambda x: x.masked_select(x > 0),
        "masked_fill": lambda x: x.masked_fill(x > 0, 0.0),
        "index": lambda x: x[[0, 1, 1]],
    }
    for name, f in ops.items():
        x = torch.tensor([[0.3, -1.2, 2.0], [0.7, 1.5, -0.4]], requires_grad=True)
        (g,) = torch.autograd.grad((f(x) ** 2).sum(), x, create_graph=True)
        print(name, g)
        print(torch.autograd.grad(g.pow(2).sum(), x))
"""
PRINTED_SNIPPETS["prod_gradient_goes_through_its_result"] = """
    for dim in (None, 0, -1):
        x = torch.tensor([[-0.42, -1.44, 0.7], [2.0, 0.5, -1.1]], dtype=torch.float64, requires_grad=True)
        p = x.prod() if dim is None else x.prod(dim)
        h = p.register_hook(lambda g: g * 2)  # the second pass reaches p again through its result
        (g,) = torch.autograd.grad((p**3).sum(), x, create_graph=True)
        print(g, g.grad_fn.name(), [n.name() if n else None for n, _ in g.grad_fn.next_functions])
        print(torch.autograd.grad((g * g).sum(), x))
"""
PRINTED_SNIPPETS["repeat_gradient_as_pytorch"] = """
    x = torch.tensor([[0.18], [-1.22]], dtype=torch.float64, requires_grad=True)
    for reps in ((1, 2), (2, 1, 3), (1, 1), (2, 0)):
        (g,) = torch.autograd.grad((x.repeat(*reps) ** 2).sum(), x, create_graph=True)
        print(reps, g, [n.name() if n else None for n, _ in g.grad_fn.next_functions] if g.grad_fn else None)
        y = x.repeat(*reps)
        y.backward(torch.ones_like(y) * 2)
        print(x.grad)
        x.grad = None
"""
PRINTED_SNIPPETS["mm_gradients_of_column_major_operands"] = """
    for sa, sb, ta, tb in (((2, 1), (1, 1), 0, 0), ((2, 3), (3, 4), 0, 0), ((3, 2), (4, 3), 1, 1), ((1, 3), (3, 1), 0, 0), ((2, 3), (4, 3), 0, 1)):
        a = torch.arange(float(sa[0] * sa[1])).reshape(sa).requires_grad_()
        b = torch.arange(float(sb[0] * sb[1])).reshape(sb).requires_grad_()
        A = a.t() if ta else a
        B = b.t() if tb else b
        y = A @ B
        ga, gb = torch.autograd.grad(y.pow(2).sum(), (A, B), create_graph=True)
        print(ga, gb)
"""

PRINTED_SNIPPETS["cumprod_gradient_goes_through_its_result"] = """
    for vals, dim in (([-0.49, 0.5, -0.57], 0), ([[0.3, -1.2, 2.0], [0.7, 1.5, -0.4]], 1), ([0.5, 0.0, 2.0], 0), ([1.5], 0)):
        x = torch.tensor(vals, requires_grad=True)
        y = x.cumprod(dim)
        h = y.register_hook(lambda g: g * 2)
        (g,) = torch.autograd.grad((y**2).sum(), x, create_graph=True)
        print(g.detach(), g.grad_fn.name() if dim == 0 and 0.0 not in vals else "", torch.autograd.grad((g * g).sum(), x))
"""

PRINTED_SNIPPETS["cumprod_along_a_dimension_of_one"] = """
    for vals, dim in (([[1.22, -1.91, -1.39]], 0), ([0.0], 0), ([[1.22], [0.0]], 1), ([[1.22], [0.5]], 0)):
        x = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(x.cumprod(dim).logsumexp(-1).sum(), x, create_graph=True)
        print(g, torch.autograd.grad((g * g).sum(), x, allow_unused=True))
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
