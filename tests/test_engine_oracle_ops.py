"""Every op against PyTorch on the same inputs: forward values, dtype, gradients, grad_fn name.

The cases are the same hypothesis strategies the finite-difference tests use (engine_cases.py).
Each example runs in float64 (values compared tightly) and in float32 (dtype of result and
gradients, values to float32 accuracy).
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples, printed
from engine_cases import CASES

pytestmark = pytest.mark.oracle

# Where minigrad records a different node than PyTorch, on purpose (see minigrad/ops/linalg.py):
# PyTorch builds vector @ matrix and the batched products from several nodes (unsqueeze/mm/squeeze,
# expand/reshape/bmm/view) and the root is a view node; minigrad records one node named after the
# core product, so a lesson's graph picture shows the multiplication itself.
NAME_DIFFERENCES = {
    "vector_matrix": ("MmBackward0", "SqueezeBackward4"),
}
# The batched products: PyTorch's root node depends on the shapes (UnsafeViewBackward0,
# ViewBackward0, CloneBackward0, TransposeBackward0, ...); minigrad always records BmmBackward0.
for _name in (
    "matmul_batched",
    "matmul_broadcast_batched",
    "matmul_batched_matrix",
    "matmul_matrix_batched",
    "matmul_batched_vector",
    "matmul_vector_batched",
):
    NAME_DIFFERENCES[_name] = ("BmmBackward0", None)


def _run(T, case, dtype, v):
    xs = [T.tensor(np.array(a), dtype=dtype, requires_grad=True) for a in case.arrays]
    out = case.fn(T, *xs)
    out.backward(T.tensor(v, dtype=out.dtype))
    return xs, out


def _numpy(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _grad_fn_name(T, out):
    if T is minigrad:
        return out.grad_fn.name()
    return type(out.grad_fn).__name__


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=examples(0.4))
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_op_matches_pytorch(pt, name, data, seed):
    case = data.draw(CASES[name][0], label="case")
    rng = np.random.default_rng(seed)
    for mg_dtype, pt_dtype, rtol, atol in (
        (minigrad.float64, pt.float64, 1e-10, 1e-12),
        (minigrad.float32, pt.float32, 2e-5, 1e-6),
    ):
        with pt.no_grad():
            shape = tuple(case.fn(pt, *[pt.tensor(a) for a in case.arrays]).shape)
        v = rng.standard_normal(shape)
        t_xs, t_out = _run(pt, case, pt_dtype, v)
        m_xs, m_out = _run(minigrad, case, mg_dtype, v)

        assert tuple(m_out.shape) == tuple(t_out.shape)
        assert repr(m_out.dtype) == repr(t_out.dtype)
        np.testing.assert_allclose(_numpy(m_out), _numpy(t_out), rtol=rtol, atol=atol)
        for m_x, t_x in zip(m_xs, t_xs):
            assert (m_x.grad is None) == (t_x.grad is None)
            if t_x.grad is not None:
                assert repr(m_x.grad.dtype) == repr(t_x.grad.dtype)
                np.testing.assert_allclose(
                    _numpy(m_x.grad), _numpy(t_x.grad), rtol=rtol, atol=atol * 10
                )

        mine, theirs = _grad_fn_name(minigrad, m_out), _grad_fn_name(pt, t_out)
        difference = NAME_DIFFERENCES.get(name) or case.extra.get("name_difference")
        if difference is not None:
            expected_mine, expected_theirs = difference
            assert mine == expected_mine
            if expected_theirs is not None:
                assert theirs == expected_theirs, f"PyTorch now records {theirs}: update the table"
            assert mine != theirs
        else:
            assert mine == theirs, case.note


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["sum_dtype"] = """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.sum(dtype=torch.float64); print(y, len(y.grad_fn.next_functions))
    y.backward(); print(x.grad, x.grad.dtype)
    print(torch.tensor([1,2],dtype=torch.int32).sum().dtype, torch.tensor([True]).sum().dtype)
    print(torch.sum(x, 0, dtype=torch.float64), torch.sum(x, dim=0, keepdim=True, dtype=torch.float64))
    m = x.mean(dtype=torch.float64); print(m)
    m.backward(); print(x.grad, x.grad.dtype)
    print(torch.tensor([1, 2]).mean(dtype=torch.float32), torch.tensor([1, 2]).sum(dtype=torch.float32), torch.mean(torch.tensor([1, 2]), dtype=torch.float64))
    g, = torch.autograd.grad(x.double().sum(dtype=torch.float32) if False else x.sum(dtype=torch.float64), x, create_graph=True); print(g)
    print(torch.ones(0).mean(), torch.ones(2, 0).mean(1), torch.ones(0, 2).mean(0), torch.ones(0, 2, requires_grad=True).mean())
"""
PRINTED_SNIPPETS["matmul_dtypes_and_kinds"] = """
    f32 = torch.ones(2, 3); f64 = torch.ones(3, 2, dtype=torch.float64); i = torch.ones(3, 2, dtype=torch.int64)
    for f in [lambda: f32 @ f64, lambda: f32.mm(f64), lambda: f32 @ i, lambda: torch.ones(3) @ torch.ones(3, dtype=torch.float64),
              lambda: torch.ones(3, 2) @ torch.ones(2, dtype=torch.float64), lambda: torch.ones(2, 2, 3) @ torch.ones(2, 3, 2, dtype=torch.float64),
              lambda: torch.mm(torch.ones(3), torch.ones(3, 2)), lambda: torch.mm(torch.ones(2, 3), torch.ones(3)), lambda: torch.mm(torch.ones(2, 3), torch.ones(2, 3)),
              lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 2, dtype=torch.float64)), lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3)),
              lambda: torch.bmm(torch.ones(2, 3), torch.ones(2, 3, 2)),
              lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(3, 3, 2)), lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 4, 2)),
              lambda: torch.ones(2, 3).mm(torch.ones(3, 2, dtype=torch.int64)), lambda: torch.ones(2, 3, dtype=torch.int64).mm(torch.ones(3, 2, dtype=torch.int64)),
              lambda: torch.ones(3, dtype=torch.int64) @ torch.ones(3), lambda: torch.mm(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.float64)),
              lambda: torch.ones(2, 3) @ torch.ones(2, 3, dtype=torch.float64), lambda: torch.ones(3) @ torch.ones(4, dtype=torch.float64),
              lambda: torch.ones(3) @ torch.ones(3, 2, dtype=torch.float64), lambda: torch.ones(3) @ torch.ones(4, 2, dtype=torch.float64),
              lambda: torch.ones(2, 3) @ torch.ones(4, dtype=torch.float64), lambda: torch.mm(torch.ones(3), torch.ones(3, dtype=torch.float64)),
              lambda: torch.dot(torch.ones(2, 2), torch.ones(2)), lambda: torch.ones(2, 2, 3) @ torch.ones(3, dtype=torch.float64),
              lambda: torch.ones(3, dtype=torch.float64) @ torch.ones(2, 3, 2), lambda: torch.ones(2).dot(torch.ones(3)), lambda: torch.ones(2,3).bmm(torch.ones(2,3,3))]:
        try:
            r = f(); print('ok', r.dtype, r.shape)
        except Exception as e:
            print(type(e).__name__, e)
    a = torch.ones(2, 2, 3, requires_grad=True)
    b = torch.arange(24.).reshape(2, 3, 4).requires_grad_()
    c = torch.bmm(a, b)
    print(c, c.grad_fn.name(), a.bmm(b).grad_fn.name())
    (c * c).sum().backward()
    print(a.grad, b.grad)
    print(torch.mm(a[0], b[0]).grad_fn.name(), torch.dot(b[0, 0], b[0, 1]).grad_fn.name())
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
