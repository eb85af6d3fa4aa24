"""Math that works on numpy arrays and on tensors alike, so each backward formula is written once.

The engine runs a built-in op's ``backward`` on plain numpy arrays (fast: nothing is recorded),
except with ``create_graph=True``, when it runs the very same formula on tensors so that the
gradient computation is itself a graph (gradients of gradients). Operators (``+ - * / @ **``,
comparisons, ``x[key]``, ``.reshape``, ``.T``) already work on both; the functions below cover the
rest.
"""

import numpy as np

from ..tensor import Tensor
from ._util import sum_along


def exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def sin(x):
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x):
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def sigmoid(x):
    return x.sigmoid() if isinstance(x, Tensor) else sigmoid_array(x)


def sigmoid_array(x):
    """1 / (1 + e⁻ˣ), written as exp(-log(1 + e⁻ˣ)) so that no value overflows."""
    return np.exp(-np.logaddexp(0, -x))


def sum(x, dim, keepdim=False):  # noqa: A001
    if isinstance(x, Tensor):
        return x.sum(dim, keepdim)
    if dim.__class__ is int and x.__class__ is np.ndarray and x.ndim:
        return sum_along(x, dim % x.ndim, keepdim)
    return np.sum(x, axis=dim, keepdims=keepdim)


def t(x):
    return x.t() if isinstance(x, Tensor) else x.T


def t_matmul(a, b):
    """aᵀ @ b (a weight's gradient: inputᵀ @ incoming gradient). On arrays it is computed as
    (bᵀ @ a)ᵀ, the layout the weight itself has: BLAS is faster that way round when b has few
    columns (a layer's 10 outputs: 42 µs instead of 62), and the optimizer's update then runs
    over two arrays of the same layout."""
    if isinstance(a, Tensor):
        return a.t() @ b
    return (b.T @ a).T


def transpose(x, dim0, dim1):
    return x.transpose(dim0, dim1) if isinstance(x, Tensor) else np.swapaxes(x, dim0, dim1)


def permute(x, dims):
    return x.permute(dims) if isinstance(x, Tensor) else np.transpose(x, dims)


def unsqueeze(x, dim):
    if isinstance(x, Tensor):
        return x.unsqueeze(dim)
    shape = list(np.shape(x))
    shape.insert(dim if dim >= 0 else len(shape) + 1 + dim, 1)
    return np.reshape(x, shape)


def squeeze(x, dim):
    return x.squeeze(dim) if isinstance(x, Tensor) else np.squeeze(x, dim)


def reshape(x, shape):
    return x.reshape(shape) if isinstance(x, Tensor) else np.reshape(x, shape)


def expand(x, shape):
    """Broadcast ``x`` up to ``shape`` (the backward of every sum)."""
    if isinstance(x, Tensor):
        return x.expand(shape)
    return np.broadcast_to(x, shape)


def sum_to(x, shape):
    """Undo broadcasting: sum ``x`` down to ``shape``. On tensors, with the nodes PyTorch records:
    a whole sum for a 0-d target, else a sum keeping dims, then a view without the leading ones."""
    have = x.shape if x.__class__ is np.ndarray else np.shape(x)
    if have == shape:
        return x
    axes = reduce_axes(have, shape)
    if isinstance(x, Tensor):
        if shape == ():
            return x.sum()
        if axes:
            x = x.sum(axes, keepdim=True)
        return x.view(shape) if x._array.ndim != len(shape) else x
    return np.sum(x, axis=axes, keepdims=True).reshape(shape) if axes else np.reshape(x, shape)


def sgn(x):
    """The sign of ``x``, as a graph node on tensors (its derivative is 0, but a gradient built
    from it still depends on ``x``, as in PyTorch)."""
    if isinstance(x, Tensor):
        from .unary import Sgn

        return Sgn.apply(x)
    return sign_array(x)


def sign_array(x):
    """np.sign, but 0 for nan as in PyTorch (its sign is (0 < x) - (x < 0))."""
    s = np.sign(x)
    if s.dtype.kind == "f" and np.isnan(s).any():
        s = np.where(np.isnan(s), s.dtype.type(0), s)
    return s


def zeros_like(x):
    """Zeros shaped like ``x``, a constant (the derivative of a piecewise-linear op's mask)."""
    zeros = np.zeros(np.shape(x), dtype=x._array.dtype if isinstance(x, Tensor) else x.dtype)
    return Tensor._make(zeros, False, None) if isinstance(x, Tensor) else zeros


def where(mask, x, other, node_name=None):
    """``x`` where the constant ``mask`` holds, ``other`` (a number) elsewhere: the backward of
    clamp, where, max and min. On tensors PyTorch's node, ``WhereBackward0`` or the name PyTorch's
    formula gives it (max's backward is a masked_fill: ``node_name="MaskedFillBackward0"``).
    On float arrays, for other = 0, it keeps x's bits where the mask holds and clears them
    elsewhere (all bits 0 is +0.): np.where's result exactly, inf and nan included, without
    np.where's loop, which is slow on a random mask (10x on a batch's relu), and without a
    product with the mask (which turns a negative gradient into -0. and inf into nan)."""
    if isinstance(x, Tensor):
        from .shape import Where

        out = Where.apply(x, other, condition=mask)
        if node_name is not None and out.grad_fn is not None:
            out.grad_fn._rename(node_name)
        return out
    bits = _SAME_SIZE_INTS.get(getattr(x, "dtype", None))
    if other != 0 or bits is None or x.__class__ is not np.ndarray or np.shape(mask) != x.shape:
        return np.where(mask, x, other)
    every_bit = np.asarray(mask).astype(bits)  # 1 where the mask holds, 0 elsewhere
    np.negative(every_bit, out=every_bit)  # -1 (every bit set) where it holds, 0 elsewhere
    return _bits_kept(x, every_bit)


def zero_where(clear, x):
    """``x`` with zeros where ``clear`` holds (arrays): relu's backward, PyTorch's
    threshold_backward (``out <= 0 ? 0 : g``). The same bit clearing as ``where``, with the mask
    the formula states (no inverted copy of it: one pass over a batch fewer)."""
    bits = _SAME_SIZE_INTS.get(getattr(x, "dtype", None))
    if bits is None or x.__class__ is not np.ndarray or clear.shape != x.shape:
        return np.where(clear, x.dtype.type(0), x)
    every_bit = np.asarray(clear).astype(bits)  # 1 where cleared, 0 elsewhere
    np.subtract(every_bit, 1, out=every_bit)  # 0 where cleared, -1 (every bit set) elsewhere
    return _bits_kept(x, every_bit)


def _bits_kept(x, every_bit):
    """``x``'s bits where ``every_bit`` is -1, all bits 0 (+0.) where it is 0; the result is
    written into ``every_bit``, a fresh int array of x's item size (one batch-sized array)."""
    return np.bitwise_and(x.view(every_bit.dtype), every_bit, out=every_bit).view(x.dtype)


_SAME_SIZE_INTS = {
    np.dtype(np.float32): np.dtype(np.int32),
    np.dtype(np.float64): np.dtype(np.int64),
}


def multiply_by(x, n):
    """``x * n`` for a Python number ``n``; on tensors the node PyTorch records for a product
    with a C++ scalar inside its own formulas (``MulBackward1``, one edge)."""
    if isinstance(x, Tensor):
        from .arithmetic import MulScalar

        return MulScalar.apply(x, factor=n)
    return x * n


def divide_by(x, n):
    """``x / n`` for a Python number ``n``; on tensors the node PyTorch records for a division by
    a C++ scalar inside its own formulas (``DivBackward1``, one edge)."""
    if isinstance(x, Tensor):
        from .arithmetic import DivScalar

        return DivScalar.apply(x, divisor=n)
    return x / n


def gradient_formula(op, grad, *saved, **options):
    """Run a backward formula that PyTorch records as one node of its own (``op``, a Function
    such as ``TanhBackward``): on arrays, its ``compute`` directly; on tensors (create_graph),
    through ``op.apply``, so the gradient's grad_fn is PyTorch's (``TanhBackwardBackward0``)."""
    if isinstance(grad, Tensor):
        return op.apply(grad, *saved, **options)
    return op.compute(grad, *saved, **options)


def to_dtype(x, dtype):
    if isinstance(x, Tensor):
        return x if x._array.dtype == dtype else x.to(dtype)
    return np.asarray(x, dtype=dtype)


def reduce_axes(from_shape, to_shape):
    """The axes to sum over to turn ``from_shape`` into ``to_shape`` (numpy broadcasting rules)."""
    lead = len(from_shape) - len(to_shape)
    return tuple(range(lead)) + tuple(
        i + lead for i, size in enumerate(to_shape) if size == 1 and from_shape[i + lead] != 1
    )
