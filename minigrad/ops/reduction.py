"""Reductions: sum, mean, max, min (whole tensor or along a dimension)."""

import numpy as np

from .._dtype import to_numpy
from ..autograd.chain_rule import Local
from ..autograd.function import Function
from ..tensor import Tensor
from .array_or_tensor import divide_by, expand, reshape, sum_to, to_dtype, unsqueeze, where
from ._util import binary, constant, normalize_dim, value


# PyTorch's C++ names of the integer types, used in its messages
_SCALAR_TYPE = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def _axes(dim, ndim):
    """``dim`` (None, an int or a tuple) as a tuple of non-negative axes."""
    if ndim == 0:  # a 0-d tensor accepts dim 0 and -1 and has no axis to reduce
        for d in dim if isinstance(dim, (tuple, list)) else () if dim is None else (dim,):
            normalize_dim(d, 0)
        return ()
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        axes = [normalize_dim(d, ndim) for d in dim]
        for i, d in enumerate(axes):
            if d in axes[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(axes))
    return (normalize_dim(dim, ndim),)


def _spread(grad, shape, axes, keepdim):
    """Send a reduced gradient back over the reduced axes (the backward of every sum)."""
    if not keepdim and axes:
        kept = list(shape)
        for ax in axes:
            kept[ax] = 1
        grad = reshape(grad, tuple(kept))
    return expand(grad, shape)


def _kept(shape, axes):
    """The reduced shape with the reduced dims kept as 1 (how a reduced gradient spreads back)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    formula = "d(Σa)/daᵢ = 1"
    label = "sum"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim=None, keepdim=False, dtype=None):
        ctx.node_name = "SumBackward0" if dim is None else "SumBackward1"
        ctx.axes = _axes(dim, a._array.ndim)
        ctx.shape, ctx.keepdim, ctx.dtype = a._array.shape, keepdim, a._array.dtype
        out = np.sum(_as_dtype(a._array, dtype), axis=ctx.axes, keepdims=keepdim)
        return np.asarray(out)

    @staticmethod
    def local(ctx):
        return Local("1", np.ones(ctx.shape), spread=_kept(ctx.shape, ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        return to_dtype(_spread(grad, ctx.shape, ctx.axes, ctx.keepdim), ctx.dtype)


def _as_dtype(array, dtype):
    """The input of a reduction given ``dtype=``: cast first, as PyTorch does (one node)."""
    return array if dtype is None else array.astype(to_numpy(dtype), copy=False)


class Mean(Function):
    formula = "d(mean a)/daᵢ = 1/n"
    label = "mean"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim=None, keepdim=False, dtype=None):
        array = _as_dtype(a._array, dtype)
        if array.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a "
                f"floating point or complex dtype. Got: {_SCALAR_TYPE[a.dtype.name]}"
            )
        ctx.node_name = "MeanBackward0" if dim is None else "MeanBackward1"
        ctx.axes = _axes(dim, a._array.ndim)
        ctx.shape, ctx.keepdim, ctx.dtype = a._array.shape, keepdim, a._array.dtype
        ctx.count = int(np.prod([a._array.shape[ax] for ax in ctx.axes]))
        if ctx.count == 0:  # the mean of nothing is nan (numpy would also warn)
            return np.full_like(np.sum(array, axis=ctx.axes, keepdims=keepdim), np.nan)
        return np.asarray(np.mean(array, axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def local(ctx):
        share = np.full(ctx.shape, 1 / ctx.count) if ctx.count else np.zeros(ctx.shape)
        return Local(f"1/{ctx.count}", share, spread=_kept(ctx.shape, ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        grad = divide_by(_spread(grad, ctx.shape, ctx.axes, ctx.keepdim), ctx.count)
        return to_dtype(grad, ctx.dtype)


class MaxAll(Function):
    """max over all elements; ties share the gradient equally (as in PyTorch)."""

    node_name = "MaxBackward1"
    formula = "d(max a)/daᵢ = 1/k at the k maxima, 0 elsewhere"
    label = "max"
    builtin = True
    reduce = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a):
        if a._array.size == 0:
            raise RuntimeError(
                f"{ctx.label}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = np.asarray(ctx.reduce(a._array))
        # a nan result came from the nans, which share its gradient (as in PyTorch)
        winners = np.isnan(a._array) if np.isnan(out) else a._array == out
        ctx.save_for_backward((winners / winners.sum()).astype(a._array.dtype))
        return out

    @staticmethod
    def local(ctx):
        (share,) = ctx.saved_like(None)
        k = int(np.count_nonzero(share))
        word = "maximum" if ctx.reduce is np.max else "minimum"
        where = (
            f"1 at the {word}, 0 elsewhere"
            if k == 1
            else f"1/{k} at each of the {k} tied {word}s, 0 elsewhere"
        )
        return Local(where, share, spread=(1,) * share.ndim)

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_like(grad)
        return where(value(share) > 0, grad * share, 0, "MaskedFillBackward1")  # 0, not -0.


class MinAll(MaxAll):
    node_name = "MinBackward1"
    formula = "d(min a)/daᵢ = 1/k at the k minima, 0 elsewhere"
    label = "min"
    reduce = staticmethod(np.min)


class MaxDim(Function):
    """max along one dimension; the gradient goes to the element that won."""

    node_name = "MaxBackward0"
    formula = "d(max a)/daᵢ = 1 at the arg-max, 0 elsewhere"
    label = "max"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim, keepdim, index):
        if a._array.ndim == 0:  # max over the one dimension a 0-d tensor pretends to have
            ctx.save_for_backward(np.ones((), dtype=bool))
            ctx.dim, ctx.keepdim = dim, True
            return a._array.copy()
        winners = np.zeros(a._array.shape, dtype=bool)
        np.put_along_axis(winners, index, True, axis=dim)
        ctx.save_for_backward(winners)
        ctx.dim, ctx.keepdim = dim, keepdim
        values = np.take_along_axis(a._array, index, axis=dim)
        return values if keepdim else values.squeeze(dim)

    @staticmethod
    def local(ctx):
        (winners,) = ctx.saved_like(None)
        word = "arg-max" if ctx.node_name == "MaxBackward0" else "arg-min"
        spread = None
        if not ctx.keepdim:
            spread = list(winners.shape)
            spread[ctx.dim] = 1
        return Local(
            f"1 at the {word} along dim {ctx.dim}, 0 elsewhere",
            winners.astype(np.float64),
            spread=None if spread is None else tuple(spread),
        )

    @staticmethod
    def backward(ctx, grad):
        (winners,) = ctx.saved_like(grad)
        if not ctx.keepdim:
            grad = unsqueeze(grad, ctx.dim)
        # PyTorch scatters the gradient to the indices (ScatterBackward0 under create_graph)
        return where(value(winners), grad, 0, node_name="ScatterBackward0")


class MinDim(MaxDim):
    node_name = "MinBackward0"
    formula = "d(min a)/daᵢ = 1 at the arg-min, 0 elsewhere"
    label = "min"


class ValuesIndices(tuple):
    """What ``max(dim)`` returns: ``(values, indices)``, printed like PyTorch's ``return_types``."""

    kind = "max"

    def __new__(cls, values, indices, kind):
        self = super().__new__(_return_type(kind), (values, indices))
        self.kind = kind
        return self

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self):
        return f"torch.return_types.{self.kind}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def any_or_all(reduce, a, dim=None, keepdim=False):
    """a.any() / a.all(): a bool tensor, never part of the graph."""
    axes = _axes(dim, a._array.ndim)
    return Tensor._make(np.asarray(reduce(a._array, axis=axes, keepdims=keepdim)), False, None)


_RETURN_TYPES = {}


def _return_type(kind):
    """One subclass per op, named as PyTorch's: ``type(x.max(0)).__name__`` is ``'max'``."""
    if kind not in _RETURN_TYPES:
        _RETURN_TYPES[kind] = type(kind, (ValuesIndices,), {"__slots__": ()})
    return _RETURN_TYPES[kind]


def sum(a, dim=None, keepdim=False, dtype=None):
    return Sum.apply(a, dim=dim, keepdim=keepdim, dtype=dtype)


def mean(a, dim=None, keepdim=False, dtype=None):
    return Mean.apply(a, dim=dim, keepdim=keepdim, dtype=dtype)


def _extreme(a, dim, keepdim, whole, along, pick, kind):
    if dim is None:
        return whole.apply(a)
    dim = normalize_dim(dim, a._array.ndim)
    if a._array.ndim == 0:
        index = np.zeros((), dtype=np.int64)
        return ValuesIndices(
            along.apply(a, dim=dim, keepdim=keepdim, index=index), constant(index), kind
        )
    _check_nonempty_dim(kind, a, dim)
    index = np.expand_dims(pick(a._array, axis=dim), dim)
    values = along.apply(a, dim=dim, keepdim=keepdim, index=index)
    if not keepdim:
        index = index.squeeze(dim)
    return ValuesIndices(values, constant(index.astype(np.int64)), kind)


def _check_nonempty_dim(name, a, dim):
    if a._array.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def max(a, dim=None, keepdim=False, method=False):
    if isinstance(dim, Tensor):  # torch.max(a, b): elementwise maximum
        return Maximum.apply(a, dim)
    _check_dim_argument("max", dim, method)
    return _extreme(a, dim, keepdim, MaxAll, MaxDim, np.argmax, "max")


def min(a, dim=None, keepdim=False, method=False):
    if isinstance(dim, Tensor):  # torch.min(a, b): elementwise minimum
        return Minimum.apply(a, dim)
    _check_dim_argument("min", dim, method)
    return _extreme(a, dim, keepdim, MinAll, MinDim, np.argmin, "min")


class Maximum(Function):
    """max(a, b) elementwise; where a = b each gets half the gradient (PyTorch's rule)"""

    node_name = "MaximumBackward0"
    formula = "d max(a,b)/da = 1 where a > b, ½ where a = b, 0 where a < b"
    label = "maximum"
    builtin = True
    a_loses = staticmethod(np.less)  # where a gets no gradient

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._array, b._array
        out = binary(ctx.combine, a, b)
        tie = x == y
        share_a = np.where(ctx.a_loses(x, y), 0.0, np.where(tie, 0.5, 1.0)).astype(out.dtype)
        share_b = np.where(ctx.a_loses(y, x), 0.0, np.where(tie, 0.5, 1.0)).astype(out.dtype)
        ctx.save_for_backward(share_a, share_b)  # constants: the derivative of a kink is 0
        ctx.shapes = x.shape, y.shape
        return out

    combine = staticmethod(np.maximum)

    @staticmethod
    def local(ctx):
        share_a, share_b = ctx.saved_like(None)
        word = "larger" if ctx.combine is np.maximum else "smaller"
        return (
            Local(f"1 where {{a}} is the {word}, ½ on a tie, else 0", share_a),
            Local(f"1 where {{b}} is the {word}, ½ on a tie, else 0", share_b),
        )

    @staticmethod
    def backward(ctx, grad):
        share_a, share_b = ctx.saved_like(grad)
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (
            sum_to(_kept_share(grad, share_a), shape_a) if need_a else None,
            sum_to(_kept_share(grad, share_b), shape_b) if need_b else None,
        )


def _kept_share(grad, share):
    """grad · share where the share is not 0, else 0 (PyTorch: a masked_fill of the losers)."""
    return where(value(share) > 0, grad * share, 0, "MaskedFillBackward0")


class Minimum(Maximum):
    """min(a, b) elementwise; where a = b each gets half the gradient (PyTorch's rule)"""

    node_name = "MinimumBackward0"
    formula = "d min(a,b)/da = 1 where a < b, ½ where a = b, 0 where a > b"
    label = "minimum"
    a_loses = staticmethod(np.greater)
    combine = staticmethod(np.minimum)


def maximum(a, b, method=False):
    _check_tensors("maximum", a, b, method)
    return Maximum.apply(a, b)


def minimum(a, b, method=False):
    _check_tensors("minimum", a, b, method)
    return Minimum.apply(a, b)


def _check_tensors(name, a, b, method):
    """PyTorch's TypeError when an argument of maximum/minimum is not a tensor."""
    for what, position, given in (("input", 1, a), ("other", 1 if method else 2, b)):
        if not isinstance(given, Tensor):
            raise TypeError(
                f"{name}(): argument '{what}' (position {position}) must be Tensor, "
                f"not {type(given).__name__}"
            )


def _check_dim_argument(name, dim, method):
    """PyTorch's TypeError for ``max(a, 2.0)``: the second argument is neither a dim nor a tensor."""
    if dim is None or isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        return
    got = type(dim).__name__
    if method:
        wrong = f"      didn't match because some of the arguments have invalid types: (!{got}!)\n"
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but "
            f"expected one of:\n * ()\n{wrong} * (Tensor other)\n{wrong}"
            " * (int dim, bool keepdim = False)\n"
        )
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got (Tensor, {got}), "
        "but expected one of:\n * (Tensor input, *, Tensor out = None)\n"
        " * (Tensor input, Tensor other, *, Tensor out = None)\n"
        " * (Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)\n"
    )


def argmax(a, dim=None, keepdim=False):
    return _arg(np.argmax, a, dim, keepdim)


def argmin(a, dim=None, keepdim=False):
    return _arg(np.argmin, a, dim, keepdim)


def _arg(pick, a, dim, keepdim):
    name = pick.__name__
    if dim is None:
        if a._array.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = pick(a._array.reshape(-1))
        return constant(
            np.asarray(out, dtype=np.int64).reshape((1,) * a._array.ndim if keepdim else ())
        )
    dim = normalize_dim(dim, a._array.ndim)
    if a._array.ndim:
        _check_nonempty_dim(name, a, dim)
    out = pick(a._array, axis=dim)
    if keepdim:
        out = np.expand_dims(out, dim)
    return constant(out.astype(np.int64))
