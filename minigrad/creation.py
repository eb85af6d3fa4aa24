"""Making tensors: from data, filled with a value, ranges, and seeded random numbers.

Random numbers come from one numpy generator seeded with a fixed value at import, so every run of a
notebook draws the same numbers; ``manual_seed(n)`` restarts it. (They are not PyTorch's numbers:
PyTorch's generator is a different algorithm.)
"""

import numpy as np

from . import _dtype
from .tensor import Tensor, tensor, _new_leaf, _sizes

_DEFAULT_SEED = 0
_generator = [None]  # made on first use: numpy.random costs a fifth of `import minigrad`


def manual_seed(seed):
    """Restart the random generator, so the same code draws the same numbers again."""
    _generator[0] = np.random.default_rng(int(seed))
    return _generator[0]


def default_generator():
    """The generator every random function draws from (seeded with 0 until ``manual_seed``)."""
    if _generator[0] is None:
        _generator[0] = np.random.default_rng(_DEFAULT_SEED)
    return _generator[0]


def initial_seed():
    return _DEFAULT_SEED


def _leaf(array, dtype, requires_grad, default=None):
    if dtype is not None:
        array = array.astype(_dtype.to_numpy(dtype), copy=False)
    elif default is not None:
        array = array.astype(default, copy=False)
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _new_leaf(array, requires_grad)


def _float():
    return _dtype.get_default_dtype().numpy


def _shape(size, who=None):
    """``size`` as a shape, refusing a negative dimension with PyTorch's message."""
    shape = tuple(_sizes(size))
    for d in shape:
        if d < 0:
            if who == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {d}: {list(shape)}"
            )
    return shape


def zeros(*size, dtype=None, requires_grad=False, device=None):
    return _leaf(np.zeros(_shape(size, "zeros"), dtype=_float()), dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    return _leaf(np.ones(_shape(size), dtype=_float()), dtype, requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    return _leaf(np.zeros(_shape(size), dtype=_float()), dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """Like PyTorch, the dtype follows the fill value: ``full((2,), 3)`` holds integers."""
    if dtype is None:
        dtype = (
            _dtype.bool_
            if isinstance(fill_value, bool)
            else _dtype.int64
            if isinstance(fill_value, int)
            else _dtype.get_default_dtype()
        )
    return _leaf(np.full(_shape((size,)), fill_value), dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    for name, k in (("n", n), ("m", m)):
        if k is not None and k < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {k}")
    return _leaf(np.eye(n, m if m is not None else n, dtype=_float()), dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    whole = all(isinstance(v, int) for v in (start, end, step))
    array = np.arange(start, end, step)
    return _leaf(array, dtype, requires_grad, default=np.int64 if whole else _float())


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _leaf(np.linspace(start, end, steps), dtype, requires_grad, default=_float())


def rand(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Uniform on [0, 1)."""
    g = generator or default_generator()
    return _leaf(g.random(_shape(size)), dtype, requires_grad, default=_float())


def randn(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Standard normal."""
    g = generator or default_generator()
    return _leaf(g.standard_normal(_shape(size)), dtype, requires_grad, default=_float())


def randint(
    low=0, high=None, size=None, dtype=None, requires_grad=False, generator=None, device=None
):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if isinstance(high, (tuple, list)) and size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    g = generator or default_generator()
    return _leaf(g.integers(low, high, size=tuple(size)), dtype, requires_grad, default=np.int64)


def randperm(n, dtype=None, generator=None, device=None):
    g = generator or default_generator()
    return _leaf(g.permutation(n), dtype, False, default=np.int64)


def _like(t, dtype):
    return dtype if dtype is not None else t.dtype


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    return zeros(t.shape, dtype=_like(t, dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False, device=None):
    return ones(t.shape, dtype=_like(t, dtype), requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    return full(t.shape, fill_value, dtype=_like(t, dtype), requires_grad=requires_grad)


def empty_like(t, dtype=None, requires_grad=False, device=None):
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)


def rand_like(t, dtype=None, requires_grad=False, device=None):
    return rand(t.shape, dtype=_like(t, dtype), requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False, device=None):
    return randn(t.shape, dtype=_like(t, dtype), requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    if (
        isinstance(data, np.ndarray)
        and data.dtype in _dtype._BY_NUMPY
        and (dtype is None or _dtype.to_numpy(dtype) == data.dtype)
    ):
        return from_numpy(data)  # the same memory, as in PyTorch
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a numpy array (as in PyTorch)."""
    return Tensor._make(array, False, None)


def is_tensor(x):
    return isinstance(x, Tensor)


def numel(t):
    return t.numel()
