"""Math that works on numpy arrays and on tensors alike, so each backward formula is written once.

The engine runs a built-in op's ``backward`` on plain numpy arrays (fast: nothing is recorded),
except with ``create_graph=True``, when it runs the very same formula on tensors so that the
gradient computation is itself a graph (gradients of gradients). Operators (``+ - * / @ **``,
comparisons, ``x[key]``, ``.reshape``, ``.T``) already work on both; the functions below cover the
rest.
"""
import numpy as np

from ..tensor import Tensor


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
    return np.sum(x, axis=dim, keepdims=keepdim)


def t(x):
    return x.t() if isinstance(x, Tensor) else x.T


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
    """Undo broadcasting: sum ``x`` down to ``shape``."""
    if np.shape(x) == shape:
        return x
    if isinstance(x, Tensor):
        from .shape import SumToSize
        return SumToSize.apply(x, shape=shape)
    axes = reduce_axes(np.shape(x), shape)
    return np.sum(x, axis=axes, keepdims=True).reshape(shape) if axes else np.reshape(x, shape)


def to_dtype(x, dtype):
    if isinstance(x, Tensor):
        return x if x._array.dtype == dtype else x.to(dtype)
    return np.asarray(x, dtype=dtype)


def reduce_axes(from_shape, to_shape):
    """The axes to sum over to turn ``from_shape`` into ``to_shape`` (numpy broadcasting rules)."""
    lead = len(from_shape) - len(to_shape)
    return tuple(range(lead)) + tuple(
        i + lead for i, size in enumerate(to_shape) if size == 1 and from_shape[i + lead] != 1)
