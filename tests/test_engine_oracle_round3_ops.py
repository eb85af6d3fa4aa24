"""The round-3 ops against PyTorch beyond their gradients (those are in tests/engine_cases.py):
what print() shows for their results and nodes, their errors on bad input (with nothing
corrupted), the gradients at ties and zeros, and the pieces that share memory with their input.

Every case is written once against the PyTorch API and run with T = minigrad and T = torch.

Left out on purpose (README's deliberate differences):
- ties in sort / topk / argsort / median(dim): minigrad sorts stably, so equal values keep their
  order; PyTorch's unstable sort may pick another of the tied indices (cases here have no ties);
- ``norm(p='nuc')``: minigrad has no nuclear norm and raises NotImplementedError;
- the gradient of ``norm(0)`` (a count): PyTorch sends none (``.grad`` stays None), minigrad
  sends zeros, so that every edge of the chain-rule pictures carries a gradient;
- a clashing argument (``var(1, True, correction=0)``):
  PyTorch's argument parser lists its overloads, minigrad gives Python's or a short TypeError;
- ``round(decimals=0)`` written out on an integer tensor: PyTorch's decimals overload has no
  integer kernel ("round_vml_cpu" not implemented), while minigrad cannot tell it from a plain
  ``round()`` (which gives the integers back in both).
"""

import numpy as np
import pytest

import minigrad
from engine_helpers import printed

pytestmark = pytest.mark.oracle


def _m(T):
    """A 2x3 float leaf that requires grad, with distinct values (no ties to sort)."""
    return T.tensor([[3.0, -1.0, 2.0], [0.5, 5.0, -4.0]], requires_grad=True)


# -- what print() shows ------------------------------------------------------------------------------
PRINTED = {
    "sort": lambda T: _m(T).sort(1),
    "sort_descending_dim0": lambda T: T.sort(_m(T), 0, descending=True),
    "sort_0d": lambda T: T.tensor(2.0, requires_grad=True).sort(),
    "topk": lambda T: _m(T).topk(2),
    "topk_smallest_dim0": lambda T: T.topk(_m(T), 1, dim=0, largest=False),
    "median_dim": lambda T: _m(T).median(1),
    "median_dim_keepdim": lambda T: T.median(_m(T), 0, keepdim=True),
    "median_all": lambda T: _m(T).median(),
    "amax": lambda T: _m(T).amax(1),
    "amax_all": lambda T: _m(T).amax(),
    "amin_keepdim": lambda T: T.amin(_m(T), 0, keepdim=True),
    "argsort": lambda T: _m(T).argsort(1, descending=True),
    "unbind": lambda T: _m(T).unbind(1),
    "unbind_plain": lambda T: T.arange(6).reshape(2, 3).unbind(),
    "split": lambda T: _m(T).split(2, 1),
    "split_sizes": lambda T: T.split(_m(T), [1, 2], dim=1),
    "chunk": lambda T: _m(T).chunk(2, 1),
    "narrow": lambda T: _m(T).narrow(1, 1, 2),
    "index_select": lambda T: _m(T).index_select(1, T.tensor([2, 0, 2])),
    "gather": lambda T: _m(T).gather(1, T.tensor([[0, 0], [2, 1]])),
    "masked_select": lambda T: _m(T).masked_select(_m(T) > 1),
    "masked_select_larger_mask": lambda T: _m(T).masked_select(T.tensor([[[True], [False]]] * 2)),
    "masked_fill": lambda T: _m(T).masked_fill(T.tensor([True, False, True]), -7.0),
    "masked_fill_tensor_value": lambda T: _m(T).masked_fill(
        T.tensor([True, False, True]), T.tensor(2.5, requires_grad=True)
    ),
    "repeat": lambda T: _m(T).repeat(2, 1, 1),
    "hstack": lambda T: T.hstack([_m(T), _m(T)]),
    "vstack": lambda T: T.vstack([_m(T)[0], _m(T)[1]]),
    "mv": lambda T: T.mv(_m(T), T.tensor([1.0, 2.0, 3.0])),
    "sort_int": lambda T: T.tensor([[3, 1, 2], [0, 5, 4]]).sort(0, descending=True),
    "topk_plain_float64": lambda T: T.tensor([0.5, -2.0, 7.0], dtype=T.float64).topk(
        2, largest=False
    ),
    "median_int_dim": lambda T: T.tensor([[3, 1, 2], [0, 5, 4]]).median(1),
    "amax_int": lambda T: T.tensor([[3, 1, 2], [0, 5, 4]]).amax(0),
    "median_nan": lambda T: T.tensor([1.0, float("nan"), 0.0], requires_grad=True).median(),
    "unbind_pieces_0d": lambda T: T.tensor([1.0, 2.0], requires_grad=True).unbind(),
    "split_empty_piece": lambda T: _m(T).split([0, 3], 1),
    "chunk_fewer": lambda T: T.ones(5, requires_grad=True).chunk(4),
    "chunk_empty": lambda T: T.ones(0, requires_grad=True).chunk(3),
    "chunk_empty_dim": lambda T: T.ones(2, 0).chunk(2, 1),
    "split_empty": lambda T: T.ones(0, requires_grad=True).split(2),
    "unbind_empty": lambda T: T.ones(0, 2).unbind(),
    "sign_bool": lambda T: T.tensor([True, False]).sign(),
    "sign_int": lambda T: T.sign(T.tensor([-3, 0, 2])),
    "floor_int": lambda T: T.tensor([-3, 2]).floor(),
    "trunc_int16": lambda T: T.trunc(T.tensor([-3, 2], dtype=T.int16)),
    "prod": lambda T: _m(T).prod(),
    "prod_dim": lambda T: _m(T).prod(1),
    "prod_int": lambda T: T.tensor([2, 3, 4]).prod(),
    "round_int": lambda T: T.tensor([1, 2]).round(),
    "round_int8": lambda T: T.round(T.tensor([1, 2], dtype=T.int8)),
    "round_int32": lambda T: T.tensor([1, 2], dtype=T.int32).round(),
    "var": lambda T: _m(T).var(1),
    "std": lambda T: T.std(_m(T), correction=0),
    "norm": lambda T: _m(T).norm(),
    "norm_p1_dim": lambda T: T.norm(_m(T), 1, dim=1),
    "norm_inf": lambda T: _m(T).norm(float("inf")),
    "logsumexp": lambda T: _m(T).logsumexp(1),
    "cumsum": lambda T: _m(T).cumsum(1),
    "cumsum_int": lambda T: T.tensor([1, 2, 3]).cumsum(0),
    "cumprod": lambda T: T.cumprod(_m(T), dim=0),
    "round": lambda T: (_m(T) * 1.25).round(),
    "round_decimals": lambda T: T.round(_m(T) / 3, decimals=2),
    "floor": lambda T: (_m(T) / 3).floor(),
    "ceil": lambda T: T.ceil(_m(T) / 3),
    "trunc": lambda T: (_m(T) / -3).trunc(),
    "sign": lambda T: _m(T).sign(),
    # views and picks a student meets in the tutorial's neighbourhood
    "select": lambda T: _m(T).select(1, -1),
    "select_function": lambda T: T.select(_m(T), 0, 1),
    "mT": lambda T: _m(T).mT,
    "index_0d_int_tensor": lambda T: _m(T)[T.tensor(1)],
    "index_0d_int_tensor_in_tuple": lambda T: _m(T)[0, T.tensor(2)],
    "index_0d_bool_tensor": lambda T: _m(T)[T.tensor(True)],
    "squeeze_dims": lambda T: T.ones(1, 3, 1, requires_grad=True).squeeze((0, 2)),
    "squeeze_dims_some_not_one": lambda T: T.ones(1, 3, 1, requires_grad=True).squeeze((0, 1)),
    "squeeze_dims_function": lambda T: T.squeeze(T.ones(1, 3, 1, requires_grad=True), [-1]),
    "squeeze_dims_empty": lambda T: T.ones(1, 3, 1, requires_grad=True).squeeze(()),
}


def _printed(T, name):
    result = PRINTED[name](T)
    pieces = list(result) if isinstance(result, tuple) else [result]
    nodes = [None if p.grad_fn is None else p.grad_fn.name() for p in pieces]
    return str(result), nodes


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_printed_result_and_node_match_pytorch(pt, name):
    assert _printed(minigrad, name) == _printed(pt, name)


# -- warnings: PyTorch's, and no numpy warning leaking out -------------------------------------------
WARNED = {
    "var_one_entry": lambda T: T.ones(1, requires_grad=True).var(),
    "std_dim_one_entry": lambda T: T.std(T.ones(2, 1), 1),
    "var_large_correction": lambda T: T.ones(3).var(correction=5),
    "var_empty": lambda T: T.ones(0).var(),
    "std_empty_dim": lambda T: T.ones(2, 0).std(1),
    "logsumexp_empty": lambda T: T.ones(0).logsumexp(0),
    "median_empty": lambda T: T.ones(0).median(),
    "prod_empty": lambda T: T.ones(0).prod(),
    "norm_empty": lambda T: T.ones(0).norm(),
    "amax_empty_other_dim": lambda T: T.ones(0, 2).amax(1),
    "cumprod_empty": lambda T: T.ones(0).cumprod(0),
    "std_backward_one_entry": lambda T: _gradient_of(T, lambda x: x.std(), 1),
    "var_backward_one_entry": lambda T: _gradient_of(T, lambda x: x.var(), 1),
    "logsumexp_backward_empty": lambda T: _gradient_of(T, lambda x: x.logsumexp(0), 0),
    "norm_backward_zero": lambda T: _gradient_of(T, lambda x: (x * 0).norm(), 3),
}


def _gradient_of(T, f, n):
    x = T.ones(n, requires_grad=True)
    return T.autograd.grad(f(x), x)[0]


def _warned(T, name):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            shown = str(WARNED[name](T))
        except Exception as error:  # noqa: BLE001  (compared with PyTorch's)
            shown = f"{type(error).__name__}: {error}"
    return shown, [
        (w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught
    ]


@pytest.mark.parametrize("name", sorted(WARNED))
def test_warnings_match_pytorch(pt, name):
    assert _warned(minigrad, name) == _warned(pt, name)


# -- bad input: PyTorch's exception and message, nothing corrupted ------------------------------------
# Each case gets x (a 2x3 leaf that requires grad, .grad already set) and y (a plain 2x3 tensor).
def _index(T, *values):
    return T.tensor(list(values))  # an int64 index


BAD = {
    # dim out of range
    "unbind_dim": lambda T, x, y: x.unbind(2),
    "unbind_0d": lambda T, x, y: T.tensor(1.0).unbind(),
    "split_dim": lambda T, x, y: x.split(1, -3),
    "split_sizes_sum": lambda T, x, y: x.split([1, 1], 1),
    "split_sizes_negative": lambda T, x, y: x.split([4, -1], 1),
    "split_sizes_negative_summing": lambda T, x, y: x.split([-1, 4], 1),
    "split_negative": lambda T, x, y: x.split(-1),
    "split_zero": lambda T, x, y: x.split(0),
    "split_0d": lambda T, x, y: T.tensor(1.0).split(1),
    "chunk_zero": lambda T, x, y: x.chunk(0),
    "chunk_dim": lambda T, x, y: x.chunk(2, 5),
    "narrow_dim": lambda T, x, y: x.narrow(2, 0, 1),
    "narrow_start": lambda T, x, y: x.narrow(1, 4, 1),
    "narrow_start_negative": lambda T, x, y: x.narrow(1, -4, 1),
    "narrow_length": lambda T, x, y: x.narrow(1, 1, 3),
    "narrow_length_negative": lambda T, x, y: x.narrow(1, 0, -1),
    "narrow_0d": lambda T, x, y: T.tensor(1.0).narrow(0, 0, 1),
    "index_select_dim": lambda T, x, y: x.index_select(2, _index(T, 0)),
    "index_select_float_index": lambda T, x, y: x.index_select(1, T.tensor([0.0])),
    "index_select_2d_index": lambda T, x, y: x.index_select(1, T.tensor([[0, 1]])),
    "index_select_out_of_range": lambda T, x, y: x.index_select(1, _index(T, 0, 3)),
    "index_select_negative": lambda T, x, y: T.index_select(x, 0, _index(T, -1)),
    "index_select_list": lambda T, x, y: x.index_select(0, [0]),
    "index_select_function_list": lambda T, x, y: T.index_select(x, 0, [0]),
    "index_select_negative_after_too_large": lambda T, x, y: x.index_select(0, _index(T, 5, -1)),
    "index_select_0d_negative": lambda T, x, y: T.tensor(2.0).index_select(0, _index(T, -1)),
    "gather_dim": lambda T, x, y: x.gather(2, T.tensor([[0]])),
    "gather_float_index": lambda T, x, y: x.gather(1, T.tensor([[0.0]])),
    "gather_int16_index": lambda T, x, y: x.gather(1, T.tensor([[0]], dtype=T.int16)),
    "gather_list": lambda T, x, y: x.gather(1, [[0]]),
    "gather_function_list": lambda T, x, y: T.gather(x, 1, [[0]]),
    "gather_ndim": lambda T, x, y: x.gather(1, _index(T, 0, 1)),
    "gather_too_large": lambda T, x, y: x.gather(1, T.tensor([[0], [1], [2]])),
    "gather_out_of_range": lambda T, x, y: T.gather(x, 1, T.tensor([[0, 3]])),
    "masked_select_float_mask": lambda T, x, y: x.masked_select(y),
    "masked_select_shape": lambda T, x, y: x.masked_select(T.tensor([True, False])),
    "masked_fill_float_mask": lambda T, x, y: x.masked_fill(y, 0.0),
    "masked_fill_int_mask": lambda T, x, y: x.masked_fill(T.tensor([1, 0, 1]), 0.0),
    "masked_fill_shape": lambda T, x, y: x.masked_fill(T.tensor([True, False]), 0.0),
    "masked_fill_value_1d": lambda T, x, y: x.masked_fill(y > 1, T.tensor([1.0])),
    "masked_fill_inplace_value_1d": lambda T, x, y: y.masked_fill_(y > 1, T.tensor([1.0, 2.0])),
    "masked_fill_inplace_broadcast": lambda T, x, y: y[0].masked_fill_(y > 1, 0.0),
    "masked_fill_inplace_float_mask": lambda T, x, y: y.masked_fill_(y, 0.0),
    "masked_fill_inplace_leaf": lambda T, x, y: x.masked_fill_(y > 1, 0.0),
    "repeat_too_few": lambda T, x, y: x.repeat(2),
    "repeat_negative": lambda T, x, y: x.repeat(2, -1),
    "hstack_empty": lambda T, x, y: T.hstack([]),
    "vstack_empty": lambda T, x, y: T.vstack([]),
    "hstack_shapes": lambda T, x, y: T.hstack([x, T.ones(3, 3)]),
    "vstack_shapes": lambda T, x, y: T.vstack([x, T.ones(2)]),
    "mv_shapes": lambda T, x, y: T.mv(x, T.ones(2)),
    "mv_matrix_matrix": lambda T, x, y: x.mv(y),
    "mv_vector": lambda T, x, y: T.mv(T.ones(3), T.ones(3)),
    "prod_dim": lambda T, x, y: x.prod(2),
    "prod_tuple_dim": lambda T, x, y: x.prod((0, 1)),
    "prod_function_tuple_dim": lambda T, x, y: T.prod(x, (0, 1)),
    "var_dim": lambda T, x, y: x.var(3),
    "var_int": lambda T, x, y: T.tensor([1, 2, 3]).var(),
    "std_dim": lambda T, x, y: T.std(x, -3),
    "std_int": lambda T, x, y: T.tensor([1, 2]).std(),
    "var_repeated_dim": lambda T, x, y: x.var((1, 1)),
    "norm_p_string": lambda T, x, y: x.norm("abc"),
    "norm_dim": lambda T, x, y: x.norm(dim=2),
    "norm_int": lambda T, x, y: T.tensor([1, 2]).norm(),
    "norm_inf_empty": lambda T, x, y: T.ones(0).norm(float("inf")),
    "norm_minus_inf_empty": lambda T, x, y: T.ones(0).norm(-float("inf")),
    "norm_inf_empty_dim": lambda T, x, y: T.ones(2, 0).norm(float("inf"), dim=1),
    "logsumexp_dim": lambda T, x, y: x.logsumexp(2),
    "cumsum_dim": lambda T, x, y: x.cumsum(2),
    "cumprod_dim": lambda T, x, y: T.cumprod(x, dim=-3),
    "amax_dim": lambda T, x, y: x.amax(2),
    "amax_repeated_dim": lambda T, x, y: x.amax((1, -1)),
    "amax_empty": lambda T, x, y: T.ones(0).amax(),
    "amin_empty_dim": lambda T, x, y: T.ones(2, 0).amin(1),
    "amin_dim": lambda T, x, y: T.amin(x, -3),
    "sort_dim": lambda T, x, y: x.sort(2),
    "sort_0d_dim": lambda T, x, y: T.tensor(1.0).sort(1),
    "argsort_dim": lambda T, x, y: x.argsort(-3),
    "topk_k": lambda T, x, y: x.topk(4),
    "topk_k_negative": lambda T, x, y: x.topk(-1),
    "topk_dim": lambda T, x, y: x.topk(1, 2),
    "median_dim": lambda T, x, y: x.median(2),
    "median_empty_dim": lambda T, x, y: T.ones(2, 0).median(1),
    "round_bool": lambda T, x, y: T.tensor([True]).round(),
    "floor_bool": lambda T, x, y: T.tensor([True]).floor(),
    "ceil_bool": lambda T, x, y: T.ceil(T.tensor([True])),
    "trunc_bool": lambda T, x, y: T.tensor([False]).trunc(),
    # more shapes, 0-d inputs and argument types
    "unbind_dim_1d": lambda T, x, y: T.ones(3).unbind(-2),
    "chunk_negative": lambda T, x, y: x.chunk(-2, 1),
    "chunk_0d": lambda T, x, y: T.tensor(1.0).chunk(1),
    "narrow_start_tensor_dim": lambda T, x, y: x.narrow(-3, 0, 1),
    "index_select_0d_two_values": lambda T, x, y: T.tensor(2.0).index_select(0, _index(T, 0, 0)),
    "index_select_0d_dim": lambda T, x, y: T.tensor(2.0).index_select(1, _index(T, 0)),
    "gather_0d_out_of_range": lambda T, x, y: T.tensor(2.0).gather(0, T.tensor(1)),
    "gather_negative": lambda T, x, y: x.gather(0, T.tensor([[-1, 0, 0]])),
    "masked_fill_value_requires_grad_inplace_leaf": lambda T, x, y: x.masked_fill_(
        y > 1, T.tensor(1.0, requires_grad=True)
    ),
    "repeat_none": lambda T, x, y: x.repeat(),
    "hstack_dtype_mix_shapes": lambda T, x, y: T.hstack([T.ones(2), T.ones(2, 1)]),
    "vstack_0d_and_vector": lambda T, x, y: T.vstack([T.tensor(1.0), T.ones(2)]),
    "mv_dtype": lambda T, x, y: x.mv(T.ones(3, dtype=T.float64)),
    "mv_int_vector": lambda T, x, y: x.mv(T.ones(3, dtype=T.int64)),
    "mv_double_matrix": lambda T, x, y: T.mv(x.double(), T.ones(3)),
    "mv_shapes_before_dtype": lambda T, x, y: T.mv(x, T.ones(2, dtype=T.float64)),
    "prod_0d_dim": lambda T, x, y: T.tensor(2.0).prod(1),
    "var_0d_dim": lambda T, x, y: T.tensor(2.0).var(1),
    "norm_dim_repeated": lambda T, x, y: x.norm(dim=(1, 1)),
    "norm_p_fro_vector_dims": lambda T, x, y: T.ones(2, 2, 2).norm("fro", dim=(0, 1, 2)),
    "norm_p_fro_dims_unsorted": lambda T, x, y: T.norm(T.ones(2, 2, 2), "fro", dim=(2, -3, 1)),
    "norm_nuc_string_typo": lambda T, x, y: x.norm("inf"),
    "logsumexp_repeated_dim": lambda T, x, y: x.logsumexp((0, 0)),
    "cumsum_0d_dim": lambda T, x, y: T.tensor(1.0).cumsum(1),
    "amax_0d_dim": lambda T, x, y: T.tensor(1.0).amax(1),
    "sort_descending_dim": lambda T, x, y: x.sort(5, True),
    "topk_0d_k": lambda T, x, y: T.tensor(1.0).topk(2),
    "topk_0d_dim": lambda T, x, y: T.tensor(1.0).topk(1, 1),
    "median_0d_dim": lambda T, x, y: T.tensor(1.0).median(1),
    "argsort_0d_dim": lambda T, x, y: T.tensor(1.0).argsort(1),
    "round_int_decimals": lambda T, x, y: T.tensor([1, 2]).round(decimals=1),
    # indexing: PyTorch's messages, not numpy's
    "index_too_many": lambda T, x, y: x[0, 0, 0],
    "index_too_many_with_none": lambda T, x, y: y[None, 0, None, 0, 0],
    "index_mask_shape": lambda T, x, y: x[T.tensor([True, False, True])],
    "index_mask_shape_after_int": lambda T, x, y: y[0, T.tensor([True, False])],
    "index_mask_2d_shape": lambda T, x, y: y[T.ones(2, 2, dtype=T.bool)],
    "index_float": lambda T, x, y: x[0, 1.5],
    "index_float_tensor": lambda T, x, y: x[T.tensor([1.0])],
    "select_index": lambda T, x, y: x.select(0, 5),
    "select_negative_index": lambda T, x, y: x.select(-1, -4),
    "select_dim": lambda T, x, y: x.select(2, 0),
    "select_0d": lambda T, x, y: T.tensor(1.0).select(0, 0),
    "mT_vector": lambda T, x, y: T.ones(3).mT,
    "permute_length_before_range": lambda T, x, y: T.ones(3).permute(1, 0),
    "permute_duplicate": lambda T, x, y: x.permute(1, 1),
    "expand_too_few_sizes": lambda T, x, y: x.expand(3),
    "expand_too_few_sizes_int": lambda T, x, y: T.ones(2, 2, dtype=T.int64).expand(2),
    "squeeze_dims_repeated": lambda T, x, y: x.squeeze((0, 0)),
    "squeeze_dims_range": lambda T, x, y: x.squeeze((0, 2)),
    # a[key] = v: the key's and the value's errors (y is written, x's view is refused first)
    "setitem_out_of_range": lambda T, x, y: y.__setitem__((0, 5), 1.0),
    "setitem_value_shape": lambda T, x, y: y.__setitem__(slice(None), T.ones(2, 2)),
    "setitem_value_rows": lambda T, x, y: y.__setitem__(0, T.ones(2)),
    "setitem_value_too_many_dims": lambda T, x, y: y.__setitem__(0, T.ones(2, 3)),
    "setitem_scalar_target": lambda T, x, y: y.__setitem__((0, 0), T.ones(2)),
    "setitem_advanced_value_shape": lambda T, x, y: y.__setitem__(_index(T, 0, 1), T.ones(3, 3)),
    "setitem_mask_value_shape": lambda T, x, y: y.__setitem__(y > 5, T.ones(2)),
    "setitem_too_many": lambda T, x, y: y.__setitem__((0, 0, 0), 1.0),
}


def _attempt(T, name):
    x = T.tensor([[3.0, -1.0, 2.0], [0.5, 5.0, -4.0]], requires_grad=True)
    x.grad = T.full((2, 3), 0.25)
    y = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    before = [(t.detach().clone(), t._version) for t in (x, y)]
    grad_before = x.grad.clone()
    try:
        BAD[name](T, x, y)
    except Exception as error:  # noqa: BLE001  (its type and text are compared)
        outcome = type(error).__name__, str(error)
    else:
        outcome = "no error", ""
    for t, (values, version) in zip((x, y), before):
        assert T.equal(t.detach(), values) and t._version == version, name
    assert T.equal(x.grad, grad_before) and x.requires_grad and x.grad_fn is None, name
    assert not y.requires_grad and y.grad is None, name
    return outcome


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_pytorchs_error_and_changes_nothing(pt, name):
    theirs = _attempt(pt, name)
    assert theirs[0] != "no error", "not bad input for PyTorch: fix the case"
    assert _attempt(minigrad, name) == theirs


# -- gradients at ties and zeros ----------------------------------------------------------------------
TIES = {
    "amax_tie": lambda T, x: x.amax(),
    "amax_three_way_tie": lambda T, x: (x * 0 + 1).amax(),
    "amax_dim_tie": lambda T, x: x.reshape(2, 2).amax(1),
    "amin_tie": lambda T, x: x.amin(),
    "amin_dims_keepdim_tie": lambda T, x: x.reshape(2, 2).amin((0, 1), keepdim=True),
    "median_tie": lambda T, x: T.cat([x, x[:1]]).median(),  # three entries equal the median
    "median_all_equal": lambda T, x: (x * 0 + 1).median(),
    "max_vs_amax_tie": lambda T, x: x.max(),
    "norm_at_zero": lambda T, x: (x * 0).norm(),
    "norm_dim_at_zero": lambda T, x: (
        (x * T.tensor([0.0, 0.0, 1.0, 1.0], dtype=T.float64)).reshape(2, 2).norm(dim=1)
    ),
    "norm_p1_at_zero": lambda T, x: (x * 0).norm(1),
    "norm_p3_at_zero": lambda T, x: (x * 0).norm(3),
    "norm_p05_at_zero": lambda T, x: (x * 0).norm(0.5),
    "norm_inf_tie": lambda T, x: x.norm(float("inf")),
    "norm_inf_at_zero": lambda T, x: (x * 0).norm(float("inf")),
    # norm(0) is left out: PyTorch sends no gradient at all (.grad stays None), minigrad zeros,
    # because the chain-rule pictures need a gradient on every edge (README's differences)
    "std_at_zero": lambda T, x: (x * 0 + 2).std(),
    "std_dim_at_zero": lambda T, x: (
        (x * T.tensor([0.0, 0.0, 1.0, 1.0], dtype=T.float64)).reshape(2, 2).std(1)
    ),
    "var_at_zero": lambda T, x: (x * 0).var(),
    "prod_one_zero": lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 1.0], dtype=T.float64)).prod(),
    "prod_two_zeros": lambda T, x: (x * T.tensor([0.0, 1.0, 0.0, 1.0], dtype=T.float64)).prod(),
    "prod_dim_zeros": lambda T, x: (
        (x * T.tensor([0.0, 1.0, 0.0, 0.0], dtype=T.float64)).reshape(2, 2).prod(1)
    ),
    "cumprod_one_zero": lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 1.0], dtype=T.float64)).cumprod(
        0
    ),
    "cumprod_two_zeros": lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 0.0], dtype=T.float64)).cumprod(
        0
    ),
    "cumprod_first_zero": lambda T, x: (
        x * T.tensor([0.0, 1.0, 1.0, 1.0], dtype=T.float64)
    ).cumprod(0),
    "logsumexp_inf": lambda T, x: x.masked_fill(
        T.tensor([False, False, False, True]), float("inf")
    ).logsumexp(0),
    "logsumexp_minus_inf": lambda T, x: x.masked_fill(
        T.tensor([True, False, False, False]), -float("inf")
    ).logsumexp(0),
    "logsumexp_all_minus_inf": lambda T, x: x.masked_fill(
        T.ones(4, dtype=T.bool), -float("inf")
    ).logsumexp(0),
    "round_half": lambda T, x: (x * 0 + 0.5).round(),
    "sign_at_zero": lambda T, x: (x * 0).sign(),
    "amax_signed_zeros": lambda T, x: (x * 0).amax(),
    "amin_dim_tie": lambda T, x: x.reshape(2, 2).amin(0),
    "median_nan": lambda T, x: (x.log()).median(),  # log(-1) is nan: the nan is the median
}
TIE_VALUES = [2.0, -1.0, 2.0, 0.5]
WEIGHTS = {"sum": None, "weighted": [1.0, -2.0, 3.0, 0.5]}


def _tie_gradient(T, name, weights):
    x = T.tensor(TIE_VALUES, dtype=T.float64, requires_grad=True)
    out = TIES[name](T, x)
    if weights is not None and out.numel() > 1:
        out = out * T.tensor(weights[: out.numel()], dtype=T.float64).reshape(out.shape)
    out.sum().backward()
    return repr(out.detach()), x.grad.tolist()


@pytest.mark.parametrize("weights", sorted(WEIGHTS))
@pytest.mark.parametrize("name", sorted(TIES))
def test_gradient_at_ties_and_zeros_matches_pytorch(pt, name, weights):
    (mine_out, mine), (their_out, theirs) = (
        _tie_gradient(T, name, WEIGHTS[weights]) for T in (minigrad, pt)
    )
    assert mine_out == their_out
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


# -- pieces share memory with their input -----------------------------------------------------------
PIECES = {
    "unbind": lambda T, b: b.unbind(1),
    "unbind_dim0": lambda T, b: T.unbind(b),
    "split": lambda T, b: b.split(2, 1),
    "split_sizes": lambda T, b: T.split(b, [1, 2], 1),
    "chunk": lambda T, b: b.chunk(3, 1),
    "narrow": lambda T, b: (b.narrow(1, 1, 2),),
    "narrow_function": lambda T, b: (T.narrow(b, 0, 1, 1),),
}
WRITES = {
    "add_": lambda T, b: b.add_(10),
    "setitem": lambda T, b: b.__setitem__((slice(None), 1), -5.0),
    "masked_fill_": lambda T, b: b.masked_fill_(b > 2, 0.0),
    "under_no_grad_on_leaf": None,  # the base is a leaf that requires grad
}


def _shared(T, name, write):
    b = T.arange(6.0).reshape(2, 3)
    if write == "under_no_grad_on_leaf":
        b = T.arange(6.0).reshape(2, 3).requires_grad_()
        pieces = PIECES[name](T, b)
        with T.no_grad():
            b.mul_(-1)
    else:
        pieces = PIECES[name](T, b)
        WRITES[write](T, b)
    return [p.tolist() for p in pieces], [p._version for p in pieces], b._version


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("name", sorted(PIECES))
def test_pieces_see_writes_into_their_base_as_in_pytorch(pt, name, write):
    mine, theirs = _shared(minigrad, name, write)[:2], _shared(pt, name, write)[:2]
    assert mine == theirs
    assert _shared(minigrad, name, write)[2] == _shared(pt, name, write)[2]


@pytest.mark.parametrize("name", sorted(PIECES))
def test_a_write_through_a_piece_reaches_the_base(pt, name):
    results = []
    for T in (minigrad, pt):
        b = T.arange(6.0).reshape(2, 3)
        PIECES[name](T, b)[-1].mul_(-1)
        results.append(b.tolist())
    assert results[0] == results[1]
    assert results[0] != minigrad.arange(6.0).reshape(2, 3).tolist()


# -- second derivatives at zeros (create_graph through the gradient's own formula) ---------------------
SECOND = {
    name: TIES[name]
    for name in (
        "prod_one_zero",
        "prod_two_zeros",
        "prod_dim_zeros",
        "cumprod_one_zero",
        "cumprod_two_zeros",
        "std_at_zero",
        "norm_at_zero",
        "amax_tie",
        "median_tie",
    )
}


def _second(T, name):
    x = T.tensor(TIE_VALUES, dtype=T.float64, requires_grad=True)
    (first,) = T.autograd.grad(SECOND[name](T, x).sum(), x, create_graph=True)
    if not first.requires_grad:
        return first.tolist(), None
    (second,) = T.autograd.grad(
        (first * T.tensor(WEIGHTS["weighted"], dtype=T.float64)).sum(), x, allow_unused=True
    )
    return first.tolist(), None if second is None else second.tolist()


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # norm: 0/0 in Div's backward
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivative_at_zeros_matches_pytorch(pt, name):
    (first, second), (their_first, their_second) = _second(minigrad, name), _second(pt, name)
    np.testing.assert_allclose(first, their_first, rtol=1e-12, atol=1e-12)
    assert (second is None) == (their_second is None)
    if second is not None:
        np.testing.assert_allclose(second, their_second, rtol=1e-12, atol=1e-12)


# -- results that are copies: a write into the input does not show in them ---------------------------
COPIES = {
    "index_select": lambda T, b: b.index_select(1, T.tensor([0, 2])),
    "gather": lambda T, b: b.gather(1, T.tensor([[1], [0]])),
    "masked_select": lambda T, b: b.masked_select(b > 1),
    "masked_fill": lambda T, b: b.masked_fill(b > 4, 0.0),
    "repeat": lambda T, b: b.repeat(1, 2),
    "hstack": lambda T, b: T.hstack([b, b]),
    "sort_values": lambda T, b: b.sort(1, descending=True).values,
    "topk_values": lambda T, b: b.topk(1).values,
    "amax": lambda T, b: b.amax(1),
    "cumsum": lambda T, b: b.cumsum(1),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_do_not_see_writes_into_their_input(pt, name):
    results = []
    for T in (minigrad, pt):
        b = T.arange(6.0).reshape(2, 3)
        out = COPIES[name](T, b)
        before = out.tolist()
        b.add_(100)
        results.append((out.tolist(), out._version))
        assert out.tolist() == before
    assert results[0] == results[1]


# -- a refused in-place change leaves a non-leaf's values, version and history as they were -----------
INPLACE_BAD = {
    "float_mask": lambda T, z: z.masked_fill_(z.detach(), 0.0),
    "value_1d": lambda T, z: z.masked_fill_(z > 1, T.tensor([1.0, 2.0])),
    "mask_enlarges": lambda T, z: z[0].masked_fill_(T.ones(2, 3, dtype=T.bool), 0.0),
    "mask_shape": lambda T, z: z.masked_fill_(T.tensor([True, False]), 0.0),
    "piece": lambda T, z: z.unbind(0)[1].masked_fill_(T.tensor([True, False, True]), 0.0),
}


def _refused_inplace(T, name):
    x = T.tensor([[3.0, -1.0, 2.0], [0.5, 5.0, -4.0]], requires_grad=True)
    z = x * 2
    version, values = z._version, z.detach().clone()
    try:
        INPLACE_BAD[name](T, z)
    except Exception as error:  # noqa: BLE001  (compared with PyTorch's)
        outcome = type(error).__name__, str(error)
    else:
        outcome = "no error", ""
    assert z._version == version and T.equal(z.detach(), values), name
    (z * T.arange(6.0).reshape(2, 3)).sum().backward()
    return outcome, z.grad_fn.name(), x.grad.tolist()


@pytest.mark.parametrize("name", sorted(INPLACE_BAD))
def test_refused_inplace_change_on_a_non_leaf_changes_nothing(pt, name):
    theirs = _refused_inplace(pt, name)
    assert theirs[0][0] != "no error"
    assert _refused_inplace(minigrad, name) == theirs


# -- snippets a student writes: printed as PyTorch prints them (engine_helpers.printed) -----
PRINTED_SNIPPETS = {}
PRINTED_SNIPPETS["invert"] = """
    try:
        ~torch.ones(2)
    except Exception as e:
        print(type(e).__name__, e)
    x = torch.ones(2, requires_grad=True)
    m = ~(x > 0)
    print(m, ~torch.tensor([1, -2]), ~torch.tensor(True), m.requires_grad)
    y = torch.tensor([1.0, -2.0, 3.0])
    print(y[~(y < 0)])
"""
PRINTED_SNIPPETS["required_dim_arguments"] = """
    x = torch.ones(3, requires_grad=True)
    for f in [lambda: x.cumsum(), lambda: torch.cumsum(x), lambda: x.cumprod(), lambda: torch.cumprod(x), lambda: x.logsumexp(), lambda: torch.logsumexp(x),
              lambda: x.softmax(), lambda: x.log_softmax(), lambda: x.unsqueeze(), lambda: torch.softmax(x), lambda: torch.log_softmax(x), lambda: torch.unsqueeze(x)]:
        try:
            f()
            print('ok')
        except Exception as e:
            print(type(e).__name__, e)
    print(x.cumsum(0), x.cumsum(dim=0), torch.cumprod(x, dim=0), x.logsumexp(0), x.softmax(0), torch.unsqueeze(x, dim=0).shape)
    print(type(x.max(0)).__name__, type(torch.min(x, 0)).__name__, type(x.sort()).__name__, type(x.topk(1)).__name__, type(x.median(0)).__name__)
"""
PRINTED_SNIPPETS["bitwise_and_neg_bool"] = """
    b1 = torch.tensor([True, False]); b2 = torch.tensor([True, True]); i = torch.tensor([6, 3])
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    for f in [lambda: b1 & b2, lambda: b1 | b2, lambda: b1 ^ b2, lambda: i & 3, lambda: i | 1, lambda: torch.ones(2) & torch.ones(2), lambda: b1 & True, lambda: True & b1, lambda: -b1,
              lambda: (x > 0) & (x < 1), lambda: (x > 0) | b1, lambda: x[(x > 0) | (x < -0.5)], lambda: b1 & 1.5, lambda: torch.ones(2, dtype=torch.float64) | b1]:
        try:
            print(f())
        except Exception as e:
            print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["any_all"] = """
    b = torch.tensor([[True, False], [True, True]])
    x = torch.tensor([[0.5, 0.0], [2.0, -1.0]], requires_grad=True)
    print(b.any(), b.all(), b.any(0), b.all(1), b.all(dim=1, keepdim=True), torch.any(b), torch.all(b, 0), x.any(), x.all(), (x > 0).all(), torch.tensor([]).all(), torch.tensor([1, 0]).any())
"""
PRINTED_SNIPPETS["where_scalar_and_errors"] = """
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    print(torch.where(x > 0, x, 0.0), torch.where(x > 0, 1.0, 0.0), torch.where(x > 0))
    try:
        torch.where(x, x, x)
    except Exception as e:
        print(type(e).__name__, e)
"""
PRINTED_SNIPPETS["T_on_other_dims"] = """
    x = torch.arange(6.).reshape(1, 2, 3)
    print(x.T.shape)
    print(torch.ones(3).T.shape)
    print(torch.tensor(1.0).T)
    print(x.mT.shape)
"""
PRINTED_SNIPPETS["zero_dim_interplay"] = """
    x = torch.tensor(2.0, requires_grad=True)
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * v
    y.sum().backward()
    print(x.grad, v.grad)
    print(x.shape, x.dim(), x.numel(), x.unsqueeze(0).shape, x.reshape(1, 1).shape, x.expand(3).shape, x.view(-1).shape, x[None].shape, x[...].shape)
    try:
        x[0]
    except IndexError as e:
        print("IndexError", e)
"""
PRINTED_SNIPPETS["max_min_on_ints_and_nans"] = """
    print(torch.tensor([1, 5, 3]).max(), torch.tensor([1.0, float('nan'), 3.0]).max(), torch.tensor([1.0, float('nan')]).argmax(), torch.tensor([[1, 2], [3, 0]]).min(1))
    x = torch.tensor([1.0, float('nan'), 3.0], requires_grad=True)
    x.max().backward()
    print(x.grad)
    print(torch.maximum(torch.tensor([1.0, float('nan')]), torch.tensor([2.0, 0.0])))
"""
PRINTED_SNIPPETS["diag_method"] = """
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    print(x.diag().tolist(), v.diag(), torch.diag(x).tolist(), v.diag().grad_fn.name())
    (x.diag().sum() + v.diag().sum()).backward()
    print(x.grad, v.grad)
"""

PRINTED_SNIPPETS["outer_is_a_reshape_times"] = """
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y = torch.outer(x.flatten(), torch.tensor([0.5, 1.0, 2.0]))
    print(y, y.grad_fn.next_functions[0][0].name(), y.grad_fn.next_functions[0][0].next_functions)
    for a, b in ((torch.ones(2, 2), torch.ones(2)), (torch.ones(2), torch.ones(2, 1)), (torch.tensor(1.0), torch.ones(2))):
        try:
            torch.outer(a, b)
        except RuntimeError as e:
            print("RuntimeError", e)
"""
PRINTED_SNIPPETS["pow_zero_gradient_is_a_constant"] = """
    x = torch.tensor([[-1.5, 0.0, 2.0]], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad((x[0:] ** 0).sum(), x, create_graph=True)
    print(g, g.requires_grad)
    y = torch.tensor([1.0, 2.0], requires_grad=True)
    z = y ** 0
    z.backward(torch.tensor([float('inf'), float('nan')]))
    print(y.grad)
"""
PRINTED_SNIPPETS["empty_reductions_and_zero_dim_cat"] = """
    x = torch.zeros(0, 3, requires_grad=True)
    for f in (lambda: x.max(0), lambda: x.min(dim=-2), lambda: x.min(), lambda: x.argmax(0), lambda: x.argmin(), lambda: torch.cat([torch.tensor(1.0), torch.ones(2)]), lambda: torch.cat([torch.ones(2), torch.tensor(1.0)], dim=3)):
        try:
            f()
        except (IndexError, RuntimeError) as e:
            print(type(e).__name__, e)
    print(x.max(1), x.argmax(1), torch.tensor(2.0).argmax(0))
"""
PRINTED_SNIPPETS["reshape_and_contiguous_follow_the_layout"] = """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    def names(t):
        return t.grad_fn.name(), [f.name() if f else None for f, _ in t.grad_fn.next_functions]
    for t in (x.reshape(6), x.t().reshape(6), x.t().reshape(3, 2), x[:, ::2].reshape(2, 2), x[:, ::2].reshape(-1), x[:1].expand(4, 3).flatten(), x.t().exp().reshape(6)):
        print(t, names(t))
    print(x.contiguous() is x, x[0:1].contiguous() is x[0:1], names(x.t().contiguous()), names(x.expand(2, 2, 3).contiguous()), names(x[:, 1:2].contiguous()))
    (x.t().reshape(6) * torch.arange(6.0)).sum().backward()
    print(x.grad)
"""
PRINTED_SNIPPETS["indexing_a_zero_dim_tensor"] = """
    t = torch.tensor(1.5, requires_grad=True)
    for idx in (9, 0, -1, slice(None), (0, 0), (None, 0), (0,), [0]):
        try:
            t[idx]
        except IndexError as e:
            print(repr(idx), "IndexError", e)
    print(t[None], t[...])
"""
PRINTED_SNIPPETS["add_and_sub_alpha_is_one_node"] = """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    for a in (torch.add(x, y, alpha=-2), torch.sub(x, y, alpha=3), x.add(x, alpha=2), torch.add(x, 2, alpha=3), x.sub(1, alpha=2)):
        print(a, [f.name() if f else None for f, _ in a.grad_fn.next_functions])
    print(torch.tensor([1, 2]).add(torch.tensor([3, 4]), alpha=2))
    z = torch.sub(x, y, alpha=3) + torch.add(x, y, alpha=-2)
    gx, gy = torch.autograd.grad((z * z).sum(), (x, y), create_graph=True)
    print(gx, gy)
    print(torch.autograd.grad((gy * gy).sum(), (x, y)))
"""
PRINTED_SNIPPETS["bmm_node"] = """
    a = torch.tensor([[[1.0, 2.0]], [[0.5, -1.0]]], requires_grad=True)
    y = a.bmm(torch.ones(2, 2, 3))
    print(y, torch.bmm(a, a.transpose(1, 2)))
"""
PRINTED_SNIPPETS["backward_twice_through_saved_indices_and_masks"] = """
    F = torch.nn.functional
    ops = {
        "where": lambda x: torch.where(x > 0, x, 0.0),
        "masked_fill": lambda x: x.masked_fill(x > 0, 0.0),
        "gather": lambda x: x.gather(0, torch.tensor([0, 0])),
        "index_select": lambda x: x.index_select(0, torch.tensor([1, 0])),
        "index_list": lambda x: x[[0, 1]],
        "index_mask": lambda x: x[x > 0],
        "masked_select": lambda x: x.masked_select(x > 0),
        "sort": lambda x: x.sort()[0],
        "topk": lambda x: x.topk(2)[0],
        "slice": lambda x: x[1:],
        "add": lambda x: x + 1,
    }
    for name, f in ops.items():
        x = torch.tensor([0.3, -1.2, 2.0, 0.7], requires_grad=True)
        y = f(x).sum()
        y.backward()
        try:
            y.backward()
            print(name, "twice", x.grad)
        except RuntimeError as e:
            print(name, "RuntimeError", str(e)[:80], x.grad)
"""
PRINTED_SNIPPETS["bce_nan_input_and_logits_dtype"] = """
    F = torch.nn.functional
    for v in ([0.5, float("nan")], [0.0, 1.5], [0.5, 1.0]):
        try:
            print(F.binary_cross_entropy(torch.tensor(v, requires_grad=True), torch.ones(2) * 0.5))
        except RuntimeError as e:
            print("RuntimeError", e)
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    for t in (torch.tensor([0.2, 0.7], dtype=torch.float64), torch.tensor([0.2, 0.7])):
        loss = F.binary_cross_entropy_with_logits(x, t)
        loss.backward()
        print(loss, x.grad)
    x2 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x2, torch.tensor(0.56), reduction="none")
    loss.backward()
    print(loss, x2.grad)
"""
PRINTED_SNIPPETS["expand_and_amax_error_dims"] = """
    x = torch.zeros(3, 0)
    y = torch.ones(2, 3)
    for f in (lambda: x.amax(-1), lambda: x.amin(dim=[1]), lambda: x.max(-1), lambda: y.expand(5, 7), lambda: y.expand(4, 5, 7), lambda: y.expand(-1, 7), lambda: torch.ones(2, 1).expand(-1, -1, 7)):
        try:
            print(f().shape)
        except (IndexError, RuntimeError) as e:
            print(type(e).__name__, e)
    print(torch.ones(2, 1).expand(5, -1, 7).shape)
"""
PRINTED_SNIPPETS["where_zero_dim_and_smoothed_nodes"] = """
    F = torch.nn.functional
    x = torch.tensor([[0.41, 1.43, -0.91], [-0.37, 1.84, -0.93]], requires_grad=True)
    for r in ("none", "mean", "sum"):
        loss = F.cross_entropy(x, torch.tensor([0, 2]), reduction=r, label_smoothing=0.1)
        print(loss, [n.name() for n, _ in loss.grad_fn.next_functions])
    a = torch.tensor([1.27, -1.38], requires_grad=True)
    b = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    w = torch.where(a > b, a, b)
    w.sum().backward()
    print(w, a.grad, b.grad)
    print(torch.where(torch.tensor([True, False]), torch.tensor([1, 2]), torch.tensor(1.5, dtype=torch.float64)))
"""
PRINTED_SNIPPETS["backward_checks_the_gradients_first"] = """
    a = torch.ones(2, 3)
    b = torch.ones(2, requires_grad=True)
    c = torch.ones(3)
    for f in (lambda: a.backward(torch.ones(3, 3)), lambda: a.backward(), lambda: torch.autograd.grad(a, b, torch.ones(3)), lambda: torch.autograd.grad(b * 2, c), lambda: torch.autograd.grad(b * 2, c, torch.ones(3)), lambda: torch.autograd.grad(b.sum(), c)):
        try:
            f()
        except RuntimeError as e:
            print("RuntimeError", e)
"""
PRINTED_SNIPPETS["loss_shape_errors"] = """
    F = torch.nn.functional
    for f in (
        lambda: F.nll_loss(torch.zeros(3), torch.tensor([1, 0])),
        lambda: F.nll_loss(torch.tensor(0.5), torch.tensor(0)),
        lambda: F.cross_entropy(torch.zeros(3), torch.tensor([1, 0])),
        lambda: F.cross_entropy(torch.tensor(0.5), torch.tensor(0)),
        lambda: F.cross_entropy(torch.tensor(0.5), torch.tensor(0.0)),
        lambda: F.binary_cross_entropy(torch.ones(3) * 0.5, torch.ones(2, 3)),
        lambda: F.binary_cross_entropy_with_logits(torch.ones(3), torch.ones(2, 3)),
    ):
        try:
            print(f())
        except (IndexError, ValueError, RuntimeError) as e:
            print(type(e).__name__, e)
    print(F.nll_loss(torch.zeros(3), torch.tensor([1])), F.nll_loss(torch.zeros(3), torch.tensor(1)))
"""

PRINTED_SNIPPETS["sgn_saves_its_input"] = """
    for f in (lambda x: x.sgn(), lambda x: x.sign()):
        x = torch.tensor([0.92, -0.11, 0.0], requires_grad=True)
        y = f(x).sum()
        y.backward()
        try:
            y.backward()
            print("twice", x.grad)
        except RuntimeError as e:
            print("RuntimeError", str(e)[:50])
"""

PRINTED_SNIPPETS["nll_target_dims"] = """
    F = torch.nn.functional
    for f in (lambda: F.nll_loss(torch.zeros(2, 3), torch.zeros(2, 3)), lambda: F.nll_loss(torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long)), lambda: F.cross_entropy(torch.zeros(2, 3), torch.zeros(2, 4)), lambda: F.nll_loss(torch.zeros(2, 3), torch.zeros(2))):
        try:
            print(f())
        except RuntimeError as e:
            print("RuntimeError", e)
"""

PRINTED_SNIPPETS["flatten_index_select_and_class_weight_errors"] = """
    F = torch.nn.functional
    t = torch.tensor(0.34)
    x = torch.ones(2, 3)
    for f in (
        lambda: t.flatten(1),
        lambda: t.flatten(-2),
        lambda: x.index_select(0, torch.tensor([2])),
        lambda: x.index_select(1, torch.tensor([-1])),
        lambda: torch.ones(2, 3, 2).index_select(2, torch.tensor([5])),
        lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([0, 1]), weight=torch.ones(3, dtype=torch.float64)),
        lambda: F.nll_loss(torch.ones(2, 3, dtype=torch.float64), torch.tensor([0, 1]), weight=torch.ones(3)),
        lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([0, 1]), weight=torch.ones(2)),
    ):
        try:
            print(f())
        except (IndexError, RuntimeError) as e:
            print(type(e).__name__, e)
    print(t.flatten(0), t.flatten(-1), F.cross_entropy(torch.ones(3), torch.tensor(1), weight=torch.ones(3)))
"""

PRINTED_SNIPPETS["mse_loss_broadcasts_with_expand"] = """
    F = torch.nn.functional
    for a, b in (((1, 2, 3), (3, 2, 3)), ((2, 3), (3,))):
        x = torch.ones(a, requires_grad=True)
        y = torch.ones(b, requires_grad=True) * 0.5
        loss = F.mse_loss(x, y, reduction="sum")
        loss.backward()
        print([n.name() if n else None for n, _ in loss.grad_fn.next_functions], loss, x.grad.shape)
"""

PRINTED_SNIPPETS["cat_leaves_out_empty_vectors"] = """
    e = torch.zeros(0, requires_grad=True)
    m = torch.ones(2, 3, requires_grad=True)
    for f in (lambda: torch.cat([e, m]), lambda: torch.cat([m, e], 1), lambda: torch.cat([e, e]), lambda: torch.cat([e, m, e, m], dim=-1)):
        y = f()
        y.sum().backward()
        print(y.shape, y.grad_fn.name(), e.grad, m.grad.shape)
        e.grad = m.grad = None
"""

PRINTED_SNIPPETS["functional_losses_take_the_legacy_flags"] = """
    F = torch.nn.functional
    x = torch.tensor([[0.2, 0.7, 0.1], [0.5, 0.3, 0.9]], requires_grad=True)
    t = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    for kw in (dict(size_average=False), dict(reduce=False), dict(size_average=True, reduction="sum")):
        print(F.mse_loss(x, t, **kw), F.binary_cross_entropy(x, t, **kw), F.binary_cross_entropy_with_logits(x, t, **kw))
        print(F.nll_loss(x, torch.tensor([0, 2]), **kw), F.cross_entropy(x, torch.tensor([0, 2]), **kw))
"""


@pytest.mark.parametrize("name", sorted(PRINTED_SNIPPETS))
def test_snippet_prints_what_pytorch_prints(pt, name):
    assert printed(minigrad, PRINTED_SNIPPETS[name]) == printed(pt, PRINTED_SNIPPETS[name])
