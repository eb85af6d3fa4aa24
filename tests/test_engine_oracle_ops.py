"""Every op against PyTorch on the same inputs: forward values, dtype, gradients, grad_fn name.

The cases are the same hypothesis strategies the finite-difference tests use (engine_cases.py).
Each example runs in float64 (values compared tightly) and in float32 (dtype of result and
gradients, values to float32 accuracy).
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from engine_helpers import examples
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
