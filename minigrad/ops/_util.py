"""Small helpers shared by the ops: operand unwrapping, dtype promotion, broadcasting errors."""

import functools

import numpy as np

from .._dtype import get_default_dtype
from ..tensor import Size, Tensor, _dim

_F64 = np.dtype(np.float64)


def value(x):
    """The numpy value of an operand (tensors unwrap; numbers and arrays pass through)."""
    return x._array if isinstance(x, Tensor) else x


def shape_of(x):
    return x._array.shape if isinstance(x, Tensor) else np.shape(x)


def binary(ufunc, a, b):
    """Apply a numpy ufunc to two operands with PyTorch's dtype and error rules."""
    x = a._array if isinstance(a, Tensor) else a
    y = b._array if isinstance(b, Tensor) else b
    try:
        out = ufunc(x, y)
    except ValueError as error:
        if "negative integer powers" in str(error):  # numpy's words are PyTorch's
            raise RuntimeError("Integers to negative integer powers are not allowed.") from None
        raise RuntimeError(broadcast_message(np.shape(x), np.shape(y))) from None
    if out.dtype is _F64 and not (_is_f64(x) or _is_f64(y)):
        # numpy widens int/float mixes to float64; PyTorch stays in the default float type
        out = out.astype(get_default_dtype().numpy)
    return _zero_dim_defers(out, x, y)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _zero_dim_defers(out, x, y):
    """PyTorch's rule for a 0-d tensor beside a tensor with dimensions: it does not widen the
    result within its kind (int32 tensor // 0-d int64 tensor is int32; float32 + 0-d float64 is
    float32), it only lifts it to a higher kind (int tensor + 0-d float tensor is float)."""
    if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)) or (x.ndim == 0) == (
        y.ndim == 0
    ):
        return out
    zero_d, shaped = (x, y) if x.ndim == 0 else (y, x)
    kind = _CATEGORY.get(out.dtype.kind)
    if (
        kind is not None
        and out.dtype != shaped.dtype
        and kind == _CATEGORY.get(shaped.dtype.kind)
        and _CATEGORY.get(zero_d.dtype.kind, 3) <= kind
    ):
        return out.astype(shaped.dtype)
    return out


def floating(a):
    """The values of tensor ``a`` as floats: integer and bool tensors give the default float type
    (PyTorch's rule for exp, log, sqrt, sin, cos, tanh, sigmoid)."""
    x = a._array
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype().numpy)


def _is_f64(v):
    return isinstance(v, np.ndarray) and v.dtype is _F64


def broadcast_message(shape_a, shape_b):
    """PyTorch's broadcasting error, followed by both shapes so the student sees the whole story."""
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return (
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i} (shapes {list(shape_a)} and {list(shape_b)})"
            )
    return f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast together"


def normalize_dim(dim, ndim):
    return _dim(dim, ndim)


def size_repr(shape):
    return repr(Size(shape))


def constant(array):
    """Wrap a numpy array as a tensor that is not part of any graph."""
    return Tensor._make(np.asarray(array), False, None)


def max_along(a, axis, keepdims=False):
    """``a.max(axis)`` for a numpy array, fast for many short rows too.

    numpy reduces a short last axis slowly (its inner loop restarts every few elements: the max
    over 10 classes of 1024 rows takes ~50 µs), but a long first axis quickly. So for a long
    array of short rows, it takes the max of a transposed copy along its first axis (~5 µs)."""
    if (
        a.ndim >= 2
        and axis == a.ndim - 1
        and a.shape[axis] <= 32 < a.size // max(a.shape[axis], 1)
        and a.flags.c_contiguous
    ):
        columns = np.ascontiguousarray(a.reshape(-1, a.shape[-1]).T)  # one row per position
        return columns.max(axis=0).reshape(a.shape[:-1] + ((1,) if keepdims else ()))
    if a.size == 0:  # an empty tensor's softmax / log_softmax: empty too (numpy has no max of [])
        return a.max(axis=axis, keepdims=keepdims, initial=-np.inf)
    return a.max(axis=axis, keepdims=keepdims)


@functools.lru_cache(maxsize=64)  # a batch's few sizes, again and again: made once each
def _ones(n, dtype):
    ones = np.ones(n, dtype)
    ones.flags.writeable = False  # shared by every call
    return ones


_SUBSCRIPTS = "abcdefghijklmnopqrstuvwxyz"
_FAST_SUMS = (np.dtype(np.float32), np.dtype(np.float64))


def sum_along(a, axis, keepdims=False):
    """``a.sum(axis)`` for a numpy array, 3x faster on a batch's gradients (1024 rows: over 10
    classes, or a bias's sum over the rows), where numpy's reduction restarts its inner loop at
    every row. A float matrix is multiplied by a vector of ones (BLAS, like the matmuls around
    it); other float arrays use einsum's sum. Both add the same numbers in another order (the
    last bit may differ)."""
    if a.dtype not in _FAST_SUMS or a.ndim > len(_SUBSCRIPTS) or a.ndim == 0:
        return a.sum(axis=axis, keepdims=keepdims)
    if a.ndim == 2:
        ones = _ones(a.shape[axis], a.dtype)
        out = ones @ a if axis == 0 else a @ ones
    else:
        axes = _SUBSCRIPTS[: a.ndim]
        out = np.asarray(np.einsum(f"{axes}->{axes.replace(axes[axis], '')}", a))
    return out.reshape(a.shape[:axis] + ((1,) if keepdims else ()) + a.shape[axis + 1 :])
