"""Ops that cut a tensor into pieces or pick values out of it: unbind, split, chunk, narrow,
index_select, gather, masked_select, masked_fill, repeat, hstack/vstack, sort, topk, argsort.

No arithmetic happens here either: every backward sends each gradient value back to the position
its value came from (adding where one position was picked twice).
"""

import numpy as np

from ..autograd.chain_rule import Local
from ..autograd.function import Function, _share_memory
from ..autograd.grad_mode import STATE
from ..tensor import Tensor
from .array_or_tensor import reshape, sum_to, where
from ._util import constant, normalize_dim
from .reduction import ValuesIndices
from .shape import Index, cat, index_gradient, reshape as _reshape_op, stack


# -- several views out of one tensor: unbind, split, chunk -----------------------------------------
class _Pieces(Function):
    """A tensor cut into views along ``dim``. As in PyTorch this is *one* node with several
    outputs (piece k is output k of it), and backward joins the pieces' gradients again."""

    builtin = True
    formula = "each piece's gradient put back in its place (zeros for a piece that got none)"

    @classmethod
    def apply(cls, a, **options):
        ctx = object.__new__(cls._node_class)
        tracking = STATE.enabled and a._requires_grad
        if tracking:
            ctx._link_inputs((a,))
        else:
            ctx.needs_input_grad = (False,)
        pieces = cls.forward(ctx, a, **options)
        if "node_name" in ctx.__dict__:
            ctx._rename(ctx.__dict__.pop("node_name"))
        outs = tuple(Tensor._make(p, False, None) for p in pieces)
        if tracking:
            outs = ctx._keep_outputs(outs)
        op_name = cls.node_name[: -len("Backward0")]
        for k, (out, key) in enumerate(zip(outs, cls.keys(ctx))):  # piece k is the view a[key]
            _share_memory(out, a, _index_step(key, ctx.shape, (k, op_name)), {"key": key})
        return outs

    @staticmethod
    def keys(ctx):
        lead = (slice(None),) * ctx.dim
        return [lead + (slice(lo, hi),) for lo, hi in zip(ctx.bounds[:-1], ctx.bounds[1:])]

    @staticmethod
    def forward(ctx, a, *, dim, bounds):
        ctx.dim, ctx.bounds, ctx.shape = dim, bounds, a._array.shape
        lead = (slice(None),) * dim
        return [a._array[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]

    @staticmethod
    def local(ctx):
        return Local(
            f"1 on each piece's slice along dim {ctx.dim} (the pieces joined again)", rule="route"
        )

    @staticmethod
    def backward(ctx, grad):
        grads = [grad] if ctx._n_outputs == 1 else list(grad)
        like = next(g for g in grads if g is not None)
        for k, g in enumerate(grads):
            if g is None:  # a piece nobody used: its gradient is zero
                shape = list(ctx.shape)
                shape[ctx.dim] = ctx.bounds[k + 1] - ctx.bounds[k]
                zeros = np.zeros(shape, dtype=_dtype_of(like))
                grads[k] = constant(zeros) if isinstance(like, Tensor) else zeros
        return ctx.join(grads, ctx.dim)

    @staticmethod
    def join(grads, dim):
        if isinstance(grads[0], Tensor):
            return cat(grads, dim)
        return np.concatenate(grads, axis=dim)


class Split(_Pieces):
    """split / chunk: pieces of (at most) the same length"""

    node_name = "SplitBackward0"
    label = "split"


class SplitWithSizes(_Pieces):
    """split with a list of lengths"""

    node_name = "SplitWithSizesBackward0"
    label = "split"


class Unbind(_Pieces):
    """Every index along ``dim`` as its own tensor (one dimension fewer)."""

    node_name = "UnbindBackward0"
    label = "unbind"

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim, ctx.shape = dim, a._array.shape
        ctx.bounds = list(range(a._array.shape[dim] + 1))
        lead = (slice(None),) * dim
        return [
            a._array[lead + (i, Ellipsis)] for i in range(a._array.shape[dim])
        ]  # views, also 0-d

    @staticmethod
    def keys(ctx):
        lead = (slice(None),) * ctx.dim
        return [lead + (i, Ellipsis) for i in range(ctx.shape[ctx.dim])]

    @staticmethod
    def backward(ctx, grad):
        grads = [grad] if ctx._n_outputs == 1 else list(grad)
        like = next(g for g in grads if g is not None)
        shape = ctx.shape[: ctx.dim] + ctx.shape[ctx.dim + 1 :]
        for k, g in enumerate(grads):
            if g is None:
                zeros = np.zeros(shape, dtype=_dtype_of(like))
                grads[k] = constant(zeros) if isinstance(like, Tensor) else zeros
        if isinstance(like, Tensor):  # d unbind = stack
            return stack(grads, ctx.dim)
        return np.stack(grads, axis=ctx.dim)


def _index_step(key, shape, piece):
    """How a piece was cut: as the view ``a[key]`` (an ``Index`` node that only remembers its
    key, never run). ``piece`` (output k of the op) marks it as one of several views, which
    PyTorch does not let an in-place op change (see ops/inplace.py)."""
    node = object.__new__(Index._node_class)
    node.key, node.shape, node.piece = key, shape, piece
    return node


def _dtype_of(x):
    return x._array.dtype if isinstance(x, Tensor) else np.result_type(x)


def unbind(a, dim=0):
    if a._array.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(a, dim=normalize_dim(dim, a._array.ndim))


def split(a, split_size_or_sections, dim=0):
    if a._array.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, a._array.ndim)
    n = a._array.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative "
                f"entries, but got split_sizes={sizes}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                f"tensor's size at dimension {dim}), but got split_sizes={sizes}"
            )
        return SplitWithSizes.apply(a, dim=dim, bounds=[int(b) for b in np.cumsum([0] + sizes)])
    size = int(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    bounds = list(range(0, n, size)) + [n] if n else [0, 0]
    return Split.apply(a, dim=dim, bounds=bounds)


def chunk(a, chunks, dim=0):
    if a._array.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = normalize_dim(dim, a._array.ndim)
    n = a._array.shape[dim]
    if n == 0:  # PyTorch: `chunks` empty pieces
        return split(a, [0] * chunks, dim)
    return split(a, -(-n // chunks), dim)


# -- one view: narrow -----------------------------------------------------------------------------
class Narrow(Index):
    """``length`` entries from ``start`` along ``dim``: always a slice node in PyTorch."""

    label = "narrow"

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.node_name = "SliceBackward0"
        ctx.key, ctx.shape = key, a._array.shape
        return a._array[key]

    def expression(self, operands):
        return f"{operands[0]}.narrow(…)"


def narrow(a, dim, start, length):
    if a._array.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, a._array.ndim)
    n = a._array.shape[dim]
    start, length = int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * dim + (slice(start, start + length),)
    return Narrow.apply(a, key=key)


# -- picking values by index: index_select, gather, sort, topk, median ------------------------------
class _Pick(Function):
    """``a[key]`` for an advanced key computed by the op; backward adds each gradient value back at
    the position it was picked from (``key`` may pick a position twice)."""

    builtin = True
    formula = "gradient added back at the picked positions, 0 elsewhere"
    gradient_name = None  # the node PyTorch's backward formula makes (seen under create_graph)

    @staticmethod
    def forward(ctx, a, *, key, name=None):
        if name is not None:
            ctx.node_name = name
        ctx.key, ctx.shape = key, a._array.shape
        ctx.save_for_backward(key)  # PyTorch saves the index: a second backward raises
        return np.asarray(a._array[key])

    @staticmethod
    def local(ctx):
        return Local(
            "1 at each position picked (summed when picked twice), 0 elsewhere", rule="route"
        )

    @staticmethod
    def backward(ctx, grad):
        (key,) = ctx.saved_like(grad)
        return index_gradient(grad, key, ctx.shape, name=ctx.gradient_name)


class IndexSelect(_Pick):
    """the entries ``index`` along ``dim``"""

    node_name = "IndexSelectBackward0"
    label = "index_select"
    gradient_name = "IndexAddBackward0"


class Gather(_Pick):
    """out[i][j] = a[i][index[i][j]] (for dim = 1)"""

    node_name = "GatherBackward0"
    label = "gather"
    gradient_name = "ScatterAddBackward0"


class Sort(_Pick):
    node_name = "SortBackward0"
    label = "sort"
    gradient_name = "ScatterBackward0"


class Topk(_Pick):
    node_name = "TopkBackward0"
    label = "topk"
    gradient_name = "ScatterBackward0"


class MedianDim(_Pick):
    """the median along one dim: the gradient goes to the element chosen"""

    node_name = "MedianBackward1"
    label = "median"
    gradient_name = "ScatterBackward0"


def _along(index, dim):
    """The advanced key that picks ``index`` (an integer array) along ``dim``, like
    ``take_along_axis``: position p of the result comes from ``a[p with p[dim] = index[p]]``."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _index_array(name, index, expected="int32/int64", method=False):
    if not isinstance(index, Tensor):
        position = 2 if method else 3  # PyTorch counts self as argument 1 only in the function
        raise TypeError(
            f"{name}(): argument 'index' (position {position}) must be Tensor, not "
            f"{type(index).__name__}"
        )
    if index._array.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype {expected} for index")
    return index._array


def index_select(a, dim, index, method=False):
    idx = _index_array("index_select", index, "int32 or int64", method)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = normalize_dim(dim, a._array.ndim)
    n = a._array.shape[dim] if a._array.ndim else 1
    bad = idx[(idx < 0) | (idx >= n)]
    if bad.size:  # PyTorch's CPU kernel for dim 1 has its own message
        if dim == 1:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad[0]} axis_dim={n}")
        raise IndexError("index out of range in self")
    if a._array.ndim == 0:  # the one entry a 0-d tensor has
        if idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        return IndexSelect.apply(a, key=Ellipsis)
    key = (slice(None),) * dim + (idx.reshape(-1),)
    return IndexSelect.apply(a, key=key)


def gather(a, dim, index, method=False):
    idx = _index_array("gather", index, method=method)
    shape = a._array.shape
    dim = normalize_dim(dim, len(shape))
    if idx.ndim != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(len(shape)):
        if d != dim and idx.shape[d] > shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(idx.shape)} "
                f"to be no larger than self {list(shape)} apart from dimension {dim}"
            )
    bad = idx[(idx < 0) | (idx >= (shape[dim] if shape else 1))]
    if bad.size:
        raise RuntimeError(
            f"index {bad[0]} is out of bounds for dimension {dim} with size "
            f"{shape[dim] if shape else 1}"
        )
    if not shape:
        return Gather.apply(a, key=Ellipsis)
    return Gather.apply(a, key=_along(idx, dim))


def _sorted_order(array, dim, descending):
    """Indices that sort ``array`` along ``dim``, equal values kept in their order (stable)."""
    if descending:
        # a stable descending order: sort the reversed array ascending and undo the reversal
        n = array.shape[dim]
        flipped = np.flip(array, axis=dim)
        order = np.argsort(flipped, axis=dim, kind="stable")
        return np.flip(n - 1 - order, axis=dim)
    return np.argsort(array, axis=dim, kind="stable")


def sort(a, dim=-1, descending=False, stable=False):
    if a._array.ndim == 0:
        normalize_dim(dim, 0)
        return ValuesIndices(Sort.apply(a, key=Ellipsis), constant(np.zeros((), np.int64)), "sort")
    dim = normalize_dim(dim, a._array.ndim)
    order = _sorted_order(a._array, dim, descending)
    values = Sort.apply(a, key=_along(order, dim))
    return ValuesIndices(values, constant(order.astype(np.int64)), "sort")


def argsort(a, dim=-1, descending=False, stable=False):
    if a._array.ndim == 0:
        normalize_dim(dim, 0)
        return constant(np.zeros((), np.int64))
    dim = normalize_dim(dim, a._array.ndim)
    return constant(_sorted_order(a._array, dim, descending).astype(np.int64))


def topk(a, k, dim=-1, largest=True, sorted=True):
    ndim = a._array.ndim
    dim = normalize_dim(dim, ndim)
    n = a._array.shape[dim] if ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if ndim == 0:
        return ValuesIndices(Topk.apply(a, key=Ellipsis), constant(np.zeros((), np.int64)), "topk")
    order = _sorted_order(a._array, dim, descending=largest)
    order = np.take(order, np.arange(k), axis=dim)
    values = Topk.apply(a, key=_along(order, dim))
    return ValuesIndices(values, constant(order.astype(np.int64)), "topk")


def median_dim(a, dim, keepdim):
    """The lower median along ``dim`` and where it is (PyTorch's ``median(dim)``)."""
    ndim = a._array.ndim
    dim = normalize_dim(dim, ndim)
    if ndim == 0:
        return ValuesIndices(
            MedianDim.apply(a, key=Ellipsis), constant(np.zeros((), np.int64)), "median"
        )
    n = a._array.shape[dim]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {dim} to have non-zero size.")
    order = _sorted_order(a._array, dim, False)
    index = np.take(order, (n - 1) // 2, axis=dim)  # dim dropped
    if keepdim:
        key = _along(np.expand_dims(index, dim), dim)
        index = np.expand_dims(index, dim)
    else:  # the grid over the other dims, with the chosen index slotted in at dim
        key = list(np.indices(index.shape, sparse=True))
        key.insert(dim, index)
        key = tuple(key)
    values = MedianDim.apply(a, key=key)
    return ValuesIndices(values, constant(index.astype(np.int64)), "median")


# -- masks ----------------------------------------------------------------------------------------
class MaskedSelect(Function):
    """The entries where ``mask`` holds, as a vector (mask and input broadcast together)."""

    node_name = "MaskedSelectBackward0"
    formula = "gradient placed back where the mask holds, 0 elsewhere"
    label = "masked_select"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, mask):
        shape = np.broadcast_shapes(a._array.shape, mask.shape)
        ctx.mask, ctx.shape, ctx.input_shape = np.broadcast_to(mask, shape), shape, a._array.shape
        ctx.save_for_backward(ctx.mask)  # PyTorch saves the mask: a second backward raises
        return np.broadcast_to(a._array, shape)[ctx.mask]

    @staticmethod
    def local(ctx):
        return Local("1 where the mask holds, 0 elsewhere", rule="route")

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_like(grad)
        picked = index_gradient(grad, mask, ctx.shape, name="MaskedScatterBackward0")
        return sum_to(picked, ctx.input_shape)


def _mask_array(name, mask):
    array = mask._array if isinstance(mask, Tensor) else np.asarray(mask)
    if array.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        kind = {
            "int64": "long int",
            "int32": "int",
            "uint8": "unsigned char",
            "float32": "float",
            "float64": "double",
        }.get(array.dtype.name, array.dtype.name)
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {kind}"
        )
    return array


def _broadcast(shape_a, shape_b):
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        from ._util import broadcast_message

        raise RuntimeError(broadcast_message(shape_a, shape_b).split(" (shapes")[0]) from None


def masked_select(a, mask):
    array = _mask_array("masked_select", mask)
    _broadcast(array.shape, a._array.shape)  # PyTorch names the mask tensor a
    return MaskedSelect.apply(a, mask=array)


class MaskedFill(Function):
    """``value`` where ``mask`` holds, ``a`` elsewhere (``value`` a number or a 0-d tensor)."""

    formula = "d/da = 0 where the mask holds, else 1;  d/dvalue = 1 where the mask holds"
    label = "masked_fill"
    builtin = True

    @staticmethod
    def forward(ctx, a, value, *, mask):
        is_tensor = isinstance(value, Tensor)
        ctx.node_name = "MaskedFillBackward1" if is_tensor else "MaskedFillBackward0"
        fill = value._array if is_tensor else value
        shape = np.broadcast_shapes(a._array.shape, mask.shape)
        ctx.mask, ctx.input_shape = np.broadcast_to(mask, shape), a._array.shape
        ctx.save_for_backward(ctx.mask)  # PyTorch saves the mask: a second backward raises
        out = np.broadcast_to(a._array, shape).copy()
        out[ctx.mask] = fill
        return out

    @staticmethod
    def local(ctx):
        kept = 1.0 - ctx.mask
        return (
            Local("0 where the mask holds, else 1", kept),
            Local("1 where the mask holds (summed), else 0", rule="route"),
        )

    @staticmethod
    def backward(ctx, grad):
        need_a = ctx.needs_input_grad[0]
        need_value = len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]
        (mask,) = ctx.saved_like(grad)
        grad_a = (
            sum_to(where(~mask, grad, 0, node_name="MaskedFillBackward0"), ctx.input_shape)
            if need_a
            else None
        )
        grad_value = None
        if need_value:  # the value went to every masked position: add their gradients
            if isinstance(grad, Tensor):  # PyTorch's formula: grad.masked_select(mask).sum()
                grad_value = MaskedSelect.apply(grad, mask=mask).sum()
            else:
                grad_value = np.sum(np.broadcast_to(grad, mask.shape)[mask])
        return grad_a, grad_value


def _fill_value(value):
    if isinstance(value, Tensor) and value._array.ndim != 0:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
            f"with {value._array.ndim} dimension(s)."
        )
    return value


def masked_fill(a, mask, value):
    array = _mask_array("masked_fill", mask)
    _broadcast(array.shape, a._array.shape)  # PyTorch names the mask tensor a
    return MaskedFill.apply(a, _fill_value(value), mask=array)


def masked_fill_(a, mask, value):
    """In place, through the in-place machinery (the mask may not enlarge ``a``)."""
    from .inplace import apply_inplace

    array = _mask_array("masked_fill", mask)
    shape = _broadcast(a._array.shape, array.shape)
    if shape != a._array.shape:
        raise RuntimeError(
            f"output with shape {list(a._array.shape)} doesn't match the broadcast "
            f"shape {list(shape)}"
        )
    return apply_inplace(a, MaskedFill, _fill_value(value), mask=array)


# -- copies in a pattern: repeat, hstack, vstack ------------------------------------------------------
class Repeat(Function):
    """The tensor tiled ``repeats`` times along each dim (new leading dims for extra repeats)."""

    node_name = "RepeatBackward0"
    formula = "gradient summed over all the copies"
    label = "repeat"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, repeats):
        ctx.shape, ctx.repeats = a._array.shape, repeats
        padded = (1,) * (len(repeats) - a._array.ndim) + a._array.shape
        return np.tile(a._array.reshape(padded), repeats)

    @staticmethod
    def local(ctx):
        return Local("1 for every copy (the copies' gradients added up)", rule="route")

    @staticmethod
    def backward(ctx, grad):
        """PyTorch's repeat_backward: sum the new leading dims away one by one, then split each
        repeated dim into (copy, position) and add up the copies (nothing to do for a dim
        repeated once)."""
        if 0 in ctx.repeats:  # nothing was copied: zeros, a constant
            if isinstance(grad, Tensor):
                return Tensor._make(np.zeros(ctx.shape, grad._array.dtype), False, None)
            return np.zeros(ctx.shape, grad.dtype)
        for _ in range(len(ctx.repeats) - len(ctx.shape)):
            grad = grad.sum(0) if isinstance(grad, Tensor) else np.sum(grad, axis=0)
        split, copies = [], []
        for r, n in zip(ctx.repeats[len(ctx.repeats) - len(ctx.shape) :], ctx.shape):
            if r != 1:
                copies.append(len(split))
                split.append(r)
            split.append(n)
        if not copies:
            return grad
        grad = reshape(grad, tuple(split))
        copies = tuple(copies)
        return grad.sum(copies) if isinstance(grad, Tensor) else np.sum(grad, axis=copies)


def repeat(a, repeats):
    repeats = tuple(int(r) for r in repeats)
    if len(repeats) < a._array.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of "
            "dimensions of tensor"
        )
    padded = (1,) * (len(repeats) - a._array.ndim) + a._array.shape
    if any(r < 0 for r in repeats):
        sizes = [r * n for r, n in zip(repeats, padded)]
        bad = next(s for s in sizes if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {sizes}")
    return Repeat.apply(a, repeats=repeats)


def hstack(tensors):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    tensors = [_reshape_op(t, (1,)) if t._array.ndim == 0 else t for t in tensors]
    return cat(tensors, 0 if tensors[0]._array.ndim == 1 else 1)


def vstack(tensors):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    tensors = [
        _reshape_op(t, (1, -1 if t._array.ndim else 1)) if t._array.ndim < 2 else t for t in tensors
    ]
    return cat(tensors, 0)
