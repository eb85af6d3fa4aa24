"""Printed tensors against PyTorch: ``str``/``repr`` must be character for character the same."""

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from engine_helpers import examples

pytestmark = pytest.mark.oracle

nan, inf = float("nan"), float("inf")

# each entry builds the same tensor with either library
CASES = {
    "scalar": lambda T: T.tensor(3.5),
    "scalar_negative": lambda T: T.tensor(-0.125),
    "scalar_integer_valued": lambda T: T.tensor(3.0),
    "scalar_int": lambda T: T.tensor(7),
    "scalar_bool": lambda T: T.tensor(True),
    "scalar_large": lambda T: T.tensor(1.5e10),
    "scalar_tiny": lambda T: T.tensor(2e-6),
    "scalar_requires_grad": lambda T: T.tensor(2.5, requires_grad=True),
    "scalar_grad_fn": lambda T: T.tensor(2.5, requires_grad=True) * 2,
    "scalar_float64": lambda T: T.tensor(2.5, dtype=T.float64),
    "vector": lambda T: T.tensor([1.5, -2.25, 3.125]),
    "vector_integer_valued": lambda T: T.tensor([1.0, -2.0, 30.0]),
    "vector_zeros": lambda T: T.zeros(4),
    "vector_negative_zero": lambda T: T.tensor([-0.0, 1.0]),
    "ones_like_seed": lambda T: T.ones(5),
    "matrix": lambda T: T.tensor([[1.2457, 2.2194, 0.1104], [0.1583, 1.2008, -0.3096]]),
    "matrix_integer_valued": lambda T: T.eye(3),
    "tensor_3d": lambda T: T.arange(24.0).reshape(2, 3, 4) / 7,
    "tensor_4d": lambda T: T.arange(16.0).reshape(2, 2, 2, 2) - 3,
    "requires_grad": lambda T: T.tensor([1.5, 2.0], requires_grad=True),
    "matrix_requires_grad": lambda T: T.ones(3, 2, requires_grad=True),
    "grad_fn_add": lambda T: T.tensor([1.5, 2.0], requires_grad=True) + 1,
    "grad_fn_matrix": lambda T: T.ones(3, 3, requires_grad=True) * 2,
    "grad_fn_bce": lambda T: T.nn.functional.binary_cross_entropy_with_logits(
        T.tensor([2.5098, 4.8237, -1.1953], requires_grad=True), T.zeros(3)
    ),
    "float64": lambda T: T.tensor([1.5, 2.0], dtype=T.float64),
    "float64_requires_grad": lambda T: T.tensor([1.5, 2.0], dtype=T.float64, requires_grad=True),
    "float64_grad_fn": lambda T: T.tensor([1.5, 2.0], dtype=T.float64, requires_grad=True).exp(),
    "float64_matrix": lambda T: T.ones(2, 2, dtype=T.float64),
    "float16": lambda T: T.tensor([1.5, 2.0], dtype=T.float16),
    "int64": lambda T: T.tensor([1, 2, -300]),
    "int64_matrix": lambda T: T.arange(12).reshape(3, 4),
    "int32": lambda T: T.tensor([1, 2, -300], dtype=T.int32),
    "uint8": lambda T: T.tensor([1, 2, 255], dtype=T.uint8),
    "int_large": lambda T: T.tensor([10**12, 1]),
    "bool": lambda T: T.tensor([True, False, True]),
    "bool_matrix": lambda T: T.arange(6).reshape(2, 3) > 2,
    "sci_small_value": lambda T: T.tensor([1e-5, 1.0, 2.0]),
    "sci_ratio_over_1000": lambda T: T.tensor([1.0, 2000.0]),
    "sci_ratio_just_under_1000": lambda T: T.tensor([1.0, 999.0]),
    "sci_large": lambda T: T.tensor([1e9, 1.0]),
    "sci_large_alone": lambda T: T.tensor([1e9]),
    "sci_negative_small": lambda T: T.tensor([-1e-5, 1.0]),
    "sci_powers": lambda T: T.arange(1, 30.0) ** 5,
    "not_sci_at_1e-4": lambda T: T.tensor([1e-4, 0.05]),
    "whole_large_not_sci": lambda T: T.tensor([123456.0, 1000.0]),
    "rounding": lambda T: T.tensor([0.99999, 2.00004]),
    "wide_values": lambda T: T.tensor([123456.789, 1.5]),
    "nan_inf": lambda T: T.tensor([nan, 1.5, inf, -inf]),
    "nan_inf_integer_valued": lambda T: T.tensor([nan, 1.0, inf]),
    "only_nan": lambda T: T.tensor([nan]),
    "only_inf": lambda T: T.tensor([inf, -inf]),
    "long_vector_wraps": lambda T: T.arange(40.0) / 3,
    "long_int_vector_wraps": lambda T: T.arange(100),
    "long_vector_grad_fn_wraps": lambda T: T.arange(30.0, requires_grad=True) * 1.5,
    "long_vector_requires_grad": lambda T: (T.arange(30.0) * 1.5).requires_grad_(),
    "wide_matrix_wraps": lambda T: T.arange(60.0).reshape(3, 20) / 3,
    "summarised_vector": lambda T: T.arange(1500.0),
    "summarised_matrix": lambda T: T.arange(2000.0).reshape(40, 50) / 7,
    "summarised_3d": lambda T: T.arange(1200.0).reshape(10, 10, 12),
    "summarised_int": lambda T: T.arange(1001),
    "not_summarised_1000": lambda T: T.arange(1000),
    "summarised_grad_fn": lambda T: T.ones(1001, requires_grad=True) * 2,
    "empty": lambda T: T.tensor([]),
    "empty_2d": lambda T: T.zeros(0, 3),
    "empty_int": lambda T: T.tensor([], dtype=T.int64),
    "empty_float64": lambda T: T.zeros(0, dtype=T.float64),
    "empty_requires_grad": lambda T: T.zeros(0, 3, requires_grad=True),
    "empty_bool": lambda T: T.zeros(0, dtype=T.bool),
    "seed_gradient": lambda T: T.full((5, 3), 0.3083),
    "seed_inp_grad": lambda T: T.eye(4, 5) * 2 + 2,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_and_str_match_pytorch(pt, name):
    theirs = CASES[name](pt)
    mine = CASES[name](minigrad)
    assert repr(mine) == repr(theirs)
    assert str(mine) == str(theirs)


def test_print_writes_the_same_text(pt, capsys):
    for name, build in CASES.items():
        print(name, build(pt))
    theirs = capsys.readouterr().out
    for name, build in CASES.items():
        print(name, build(minigrad))
    assert capsys.readouterr().out == theirs


float_arrays = st.builds(
    lambda shape, exponent, seed, kind, dtype: _array(shape, exponent, seed, kind, dtype),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=6),
    st.integers(-7, 10),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["normal", "whole", "mixed_scales", "special"]),
    st.sampled_from([np.float32, np.float64]),
)


def _array(shape, exponent, seed, kind, dtype):
    rng = np.random.default_rng(seed)
    if kind == "normal":
        a = rng.standard_normal(shape) * 10.0**exponent
    elif kind == "whole":
        a = np.round(rng.standard_normal(shape) * 10.0 ** abs(exponent))
    elif kind == "mixed_scales":
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    else:
        a = rng.choice(
            [0.0, 1.0, -1.0, 0.5, 1e-4, 9.99995e-5, 1e8, 1.00001e8, 999.9, nan, inf], size=shape
        )
    return np.asarray(a).astype(dtype)


@settings(max_examples=examples(15))
@given(a=float_arrays, requires_grad=st.booleans(), through_op=st.booleans())
def test_random_float_tensors_print_like_pytorch(pt, a, requires_grad, through_op):
    def build(T):
        t = T.tensor(a, requires_grad=requires_grad)
        return t * 1 if requires_grad and through_op else t

    assert repr(build(minigrad)) == repr(build(pt))


@settings(max_examples=examples(4))
@given(
    a=hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
        elements=st.integers(-(10**12), 10**12),
    )
)
def test_random_int_tensors_print_like_pytorch(pt, a):
    assert repr(minigrad.tensor(a)) == repr(pt.tensor(a))


@settings(max_examples=examples(3))
@given(n=st.integers(1, 1300), scale=st.sampled_from([1.0, 1 / 3, 1e-5, 1e6]))
def test_long_vectors_wrap_and_summarise_like_pytorch(pt, n, scale):
    values = np.arange(n, dtype=np.float32) * np.float32(scale)
    assert repr(minigrad.tensor(values)) == repr(pt.tensor(values))


def test_print_options_precision_and_sci_mode(pt):
    values = [1.123456789, 22.5, -0.000123]
    try:
        for kwargs in (
            {"precision": 2},
            {"precision": 6},
            {"sci_mode": False},
            {"sci_mode": True},
            {"linewidth": 40},
            {"threshold": 5, "edgeitems": 1},
        ):
            pt.set_printoptions(**kwargs)
            minigrad.set_printoptions(**kwargs)
            for data in (values, list(range(12))):
                assert repr(minigrad.tensor(data)) == repr(pt.tensor(data)), kwargs
            pt.set_printoptions(profile="default")
            minigrad.set_printoptions(profile="default")
    finally:
        pt.set_printoptions(profile="default")


def _addresses(text):
    return re.sub(r" at 0x[0-9a-f]+", " at 0xADDR", text)


def test_grad_fn_repr_matches_pytorch_format(pt):
    def build(T):
        x = T.ones(2, requires_grad=True)
        return (x * 3).sum()

    mine, theirs = build(minigrad), build(pt)
    assert _addresses(repr(mine.grad_fn)) == _addresses(repr(theirs.grad_fn))
    assert _addresses(f"{mine.grad_fn}") == _addresses(f"{theirs.grad_fn}")
    assert re.fullmatch(r"<SumBackward0 object at 0x[0-9a-f]+>", repr(mine.grad_fn))


def test_size_dtype_and_return_types_print_like_pytorch(pt):
    def build(T):
        x = T.tensor([[1.0, 5.0, 2.0], [7.0, 0.5, 3.0]])
        return [
            x.shape,
            x.size(),
            x[0].shape,
            T.tensor(1.0).shape,
            x.dtype,
            T.float64,
            T.int64,
            T.tensor([True]).dtype,
            x.max(1),
            x.min(0, keepdim=True),
            x.type(),
            T.tensor([1]).type(),
            x.double().type(),
        ]

    for mine, theirs in zip(build(minigrad), build(pt)):
        assert repr(mine) == repr(theirs)
        assert str(mine) == str(theirs)


def test_format_of_a_scalar_tensor(pt):
    for spec in (".3f", "", ".2e"):
        assert format(minigrad.tensor(2.5), spec) == format(pt.tensor(2.5), spec)
    assert f"{minigrad.tensor(2.0) * 3}" == f"{pt.tensor(2.0) * 3}"
