"""The array fast paths of the backward formulas give numpy's results.

``max_along``/``sum_along`` reduce many short rows quickly (a batch's classes, a bias's rows) and
``where``/``zero_where`` mask a gradient by clearing bits, ``quiet_numpy`` is a cheap
``np.errstate(all="ignore")``; each is checked here against the plain numpy call it replaces, on
hypothesis shapes that hit both the fast and the ordinary path."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.ops._util import max_along, sum_along
from minigrad.ops.array_or_tensor import where, zero_where

# shapes from 1 to 3 dimensions; some with many short rows (the fast path), some without
shapes = st.one_of(
    st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
    st.tuples(st.integers(33, 300), st.integers(1, 32)),
    st.tuples(st.integers(1, 3), st.integers(20, 80), st.integers(1, 12)),
)
dtypes = st.sampled_from([np.float32, np.float64, np.int64, np.float16])


@given(shape=shapes, dtype=dtypes, keepdims=st.booleans(), data=st.data())
def test_max_along_is_numpys_max(shape, dtype, keepdims, data):
    rng = np.random.default_rng(sum(shape))
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    axis = data.draw(st.integers(0, a.ndim - 1))
    if a.shape[axis] == 0:
        return  # numpy refuses a max over nothing, and so does the caller's op
    got, expected = max_along(a, axis, keepdims), a.max(axis=axis, keepdims=keepdims)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got, expected)


@given(shape=shapes, dtype=dtypes, keepdims=st.booleans(), data=st.data())
def test_sum_along_is_numpys_sum(shape, dtype, keepdims, data):
    rng = np.random.default_rng(sum(shape))
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    axis = data.draw(st.integers(0, a.ndim - 1))
    got, expected = sum_along(a, axis, keepdims), a.sum(axis=axis, keepdims=keepdims)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    tolerance = 1e-2 if dtype is np.float16 else 1e-4
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance * a.shape[axis])


def test_max_along_a_transposed_batch_takes_the_ordinary_path():
    a = np.arange(40.0).reshape(4, 10).T  # not C-contiguous
    assert np.array_equal(max_along(a, 1, True), a.max(axis=1, keepdims=True))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_where_masks_like_a_selection_when_the_gradient_is_not_finite(bad):
    grad = np.array([1.0, -2.0, bad, bad], np.float32)
    mask = np.array([True, False, True, False])
    with np.errstate(all="ignore"):  # as the engine runs every backward formula
        got = where(mask, grad, 0)
    expected = np.where(mask, grad, np.float32(0))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)  # nan where nan was kept, 0 where masked out
    assert not np.signbit(got[[1, 3]]).any()  # masked-out entries are 0., never -0.


@given(
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),
    dtype=st.sampled_from([np.float32, np.float64, np.float16]),
    data=st.data(),
)
def test_zero_where_is_a_selection_bit_for_bit(shape, dtype, data):
    """relu's backward: out <= 0 ? 0 : g, exactly (nan and inf kept, +0. where cleared)."""
    specials = st.sampled_from([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan])
    size = int(np.prod(shape))
    out = np.array(data.draw(st.lists(specials, min_size=size, max_size=size)), dtype)
    grad = np.array(data.draw(st.lists(specials, min_size=size, max_size=size)), dtype)
    out, grad = out.reshape(shape), grad.reshape(shape)
    got = zero_where(out <= 0, grad)
    expected = np.where(out <= 0, dtype(0), grad)
    assert got.dtype == grad.dtype and got.shape == grad.shape
    assert np.asarray(got).tobytes() == np.asarray(expected).tobytes()


def test_quiet_numpy_silences_and_then_restores_the_callers_state():
    import warnings

    from minigrad import _quiet

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in ("context variable", "np.errstate"):
            saved = _quiet._extobj_contextvar
            if path == "np.errstate":  # another numpy: the public errstate is used instead
                _quiet._extobj_contextvar = None
            try:
                with np.errstate(divide="raise"):
                    with _quiet.quiet_numpy():
                        assert np.log(np.zeros(1))[0] == -np.inf  # no warning, no error
                        np.zeros(1) / np.zeros(1)
                    with pytest.raises(FloatingPointError):  # the caller's setting is back
                        np.log(np.zeros(1))
            finally:
                _quiet._extobj_contextvar = saved
