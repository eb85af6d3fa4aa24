"""Ops that move values around without arithmetic: views, reshapes, indexing, cat and stack.

Their backward puts each gradient value back where its input value came from.
"""

import numpy as np

from ..autograd.chain_rule import Local
from ..autograd.function import Function
from ..tensor import Tensor
from . import array_or_tensor
from .array_or_tensor import reshape as _reshape, sum_to
from ._util import _zero_dim_defers, normalize_dim, shape_of, value


# -- broadcasting and its undo ------------------------------------------------------------------
class Expand(Function):
    node_name = "ExpandBackward0"
    formula = "gradient summed over the repeated positions"
    label = "expand"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a._array.shape
        return np.broadcast_to(a._array, shape)

    @staticmethod
    def local(ctx):
        return Local("1 (for every copy)", 1)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.shape)


def expand(a, sizes):
    shape = a._array.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{a.dtype.legacy_name}{{{list(shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    target = [None] * len(sizes)
    for i in reversed(range(len(sizes))):  # PyTorch checks from the last dimension
        size, old = sizes[i], shape[i - lead] if i >= lead else 1
        if size == -1 and i < lead:
            raise RuntimeError(
                f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                f"dimension {i}"
            )
        if size == -1:
            size = old
        elif old != 1 and size != old:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size "
                f"({old}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
        target[i] = size
    return Expand.apply(a, shape=tuple(target))  # a new view even for the same shape, as PyTorch


# -- reshaping ------------------------------------------------------------------------------------
def _infer_shape(shape, size):
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


class View(Function):
    """Same values, new shape, same memory."""

    node_name = "ViewBackward0"
    formula = "gradient reshaped back"
    label = "view"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a._array.shape
        try:
            return np.reshape(a._array, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at "
                "least one dimension spans across two contiguous subspaces). Use "
                ".reshape(...) instead."
            ) from None

    @staticmethod
    def local(ctx):
        return Local("1 (the same numbers, reshaped)", rule="reshape")

    @staticmethod
    def backward(ctx, grad):
        return _reshape(grad, ctx.shape)


class Reshape(Function):
    """Like ``View``, but copies when the memory layout does not allow a view."""

    node_name = "UnsafeViewBackward0"
    formula = "gradient reshaped back"
    label = "reshape"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a._array.shape
        return np.reshape(a._array, shape)

    @staticmethod
    def local(ctx):
        return Local("1 (the same numbers, reshaped)", rule="reshape")

    @staticmethod
    def backward(ctx, grad):
        return _reshape(grad, ctx.shape)


class ReshapeAlias(View):
    """A view that ``reshape`` makes of a tensor that is not contiguous (PyTorch's
    ``_reshape_alias``)."""

    node_name = "ReshapeAliasBackward0"


def view(a, shape):
    return View.apply(a, shape=_infer_shape(shape, a._array.size))


def reshape(a, shape):
    """As PyTorch: a view of a contiguous tensor (ViewBackward0); of another one a view where the
    strides allow one (ReshapeAliasBackward0), else a copy (CloneBackward0, then
    UnsafeViewBackward0)."""
    shape = _infer_shape(shape, a._array.size)
    if a._array.flags.c_contiguous:
        return View.apply(a, shape=shape)
    try:
        np.reshape(a._array, shape, copy=False)
    except ValueError:
        return Reshape.apply(Clone.apply(a), shape=shape)
    return ReshapeAlias.apply(a, shape=shape)


def contiguous(a):
    """``a`` itself when its memory is in row-major order, else a copy that is (CloneBackward0)."""
    return a if a._array.flags.c_contiguous else Clone.apply(a)


def flatten(a, start_dim=0, end_dim=-1):
    if a._array.ndim == 0:
        normalize_dim(start_dim, 0), normalize_dim(end_dim, 0)  # PyTorch's range: [-1, 0]
        return reshape(a, (1,))
    start, end = normalize_dim(start_dim, a._array.ndim), normalize_dim(end_dim, a._array.ndim)
    if start == end:  # nothing to merge: PyTorch returns the tensor itself
        return a
    shape = a._array.shape
    return reshape(a, shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :])


class Squeeze(Function):
    formula = "gradient reshaped back"
    label = "squeeze"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim):
        # dim: None (every size-1 dimension), an int, or a tuple of ints (SqueezeBackward2)
        ctx.node_name = (
            "SqueezeBackward0"
            if dim is None
            else "SqueezeBackward2"
            if isinstance(dim, tuple)
            else "SqueezeBackward1"
        )
        ctx.shape, ctx.dim = a._array.shape, dim
        if dim is None:
            return np.squeeze(a._array)
        dims = dim if isinstance(dim, tuple) else (dim,)
        axes = tuple(d for d in dims if a._array.ndim and a._array.shape[d] == 1)
        if not axes:  # nothing to squeeze
            return a._array.view()
        return np.squeeze(a._array, axis=axes)

    @staticmethod
    def local(ctx):
        return Local("1 (the same numbers, reshaped)", rule="reshape")

    @staticmethod
    def backward(ctx, grad):
        # put back each squeezed dimension (PyTorch's unsqueeze steps; nothing if none went)
        for d, size in enumerate(ctx.shape):
            if np.ndim(grad) < len(ctx.shape) and size == 1 and _squeezed(ctx.dim, d):
                grad = array_or_tensor.unsqueeze(grad, d)
        return grad


def _squeezed(dim, d):
    return dim is None or (d in dim if isinstance(dim, tuple) else d == dim)


def squeeze(a, dim=None):
    if isinstance(dim, (tuple, list)):
        dims = tuple(normalize_dim(d, a._array.ndim) for d in dim)
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        dim = dims
    elif dim is not None:
        dim = normalize_dim(dim, a._array.ndim)
    return Squeeze.apply(a, dim=dim)


class Unsqueeze(Function):
    node_name = "UnsqueezeBackward0"
    formula = "gradient reshaped back"
    label = "unsqueeze"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        return np.expand_dims(a._array, dim)

    @staticmethod
    def local(ctx):
        return Local("1 (the same numbers, reshaped)", rule="reshape")

    @staticmethod
    def backward(ctx, grad):
        return array_or_tensor.squeeze(grad, ctx.dim)


def unsqueeze(a, dim):
    return Unsqueeze.apply(a, dim=normalize_dim(dim, a._array.ndim + 1))


# -- transposes -----------------------------------------------------------------------------------
class T(Function):
    node_name = "TBackward0"
    formula = "gradient transposed back"
    label = "t"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a):
        ctx.ndim = a._array.ndim
        return a._array.T

    @staticmethod
    def local(ctx):
        return Local(
            "1 (the same numbers, transposed back)",
            rule="permute",
            axis=tuple(reversed(range(ctx.ndim))),
        )

    @staticmethod
    def backward(ctx, grad):
        return array_or_tensor.t(grad)


def t(a):
    if a._array.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {a._array.ndim}D"
        )
    return T.apply(a)


class Transpose(Function):
    node_name = "TransposeBackward0"
    formula = "gradient transposed back"
    label = "transpose"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dim0, dim1):
        ctx.dims, ctx.ndim = (dim0, dim1), a._array.ndim
        if dim0 == dim1:  # also the only transpose of a 0-d tensor
            return a._array.view()
        return np.swapaxes(a._array, dim0, dim1)

    @staticmethod
    def local(ctx):
        dim0, dim1 = ctx.dims
        if dim0 == dim1:
            return Local("1 (the same numbers)", 1)
        order = list(range(ctx.ndim))
        order[dim0], order[dim1] = order[dim1], order[dim0]
        return Local("1 (the same numbers, transposed back)", rule="permute", axis=tuple(order))

    @staticmethod
    def backward(ctx, grad):
        dim0, dim1 = ctx.dims
        return grad if dim0 == dim1 else array_or_tensor.transpose(grad, dim0, dim1)


def transpose(a, dim0, dim1):
    n = a._array.ndim
    return Transpose.apply(a, dim0=normalize_dim(dim0, n), dim1=normalize_dim(dim1, n))


class Permute(Function):
    node_name = "PermuteBackward0"
    formula = "gradient permuted back"
    label = "permute"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.transpose(a._array, dims)

    @staticmethod
    def local(ctx):
        return Local("1 (the same numbers, permuted back)", rule="permute", axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad):
        return array_or_tensor.permute(grad, tuple(np.argsort(ctx.dims)))


def permute(a, dims):
    n = a._array.ndim
    if len(dims) != n:  # checked before any dim's range, as in PyTorch
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not "
            "match the length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(normalize_dim(d, n) for d in dims)
    if sorted(dims) != list(range(n)):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(a, dims=dims)


# -- indexing -------------------------------------------------------------------------------------
def _numpy_key(key):
    """Turn tensors inside an index into numpy arrays (a 0-d integer tensor into an int: PyTorch
    selects with it, as with a Python int)."""
    if isinstance(key, Tensor):
        if key._array.ndim == 0 and key._array.dtype.kind in "iu":
            return int(key._array)
        return key._array
    if isinstance(key, tuple):
        return tuple(_numpy_key(k) for k in key)
    if isinstance(key, list):
        return np.asarray([k.item() if isinstance(k, Tensor) else k for k in key])
    return key


def _is_basic(key):
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in parts)


def _basic_name(key, shape):
    """The node PyTorch records for ``a[key]``: the last real step of select (int), slice and
    unsqueeze (None). In a tuple key, a slice covering the whole dimension (start 0 or None,
    step 1, stop None or past the end) is no step at all, and a key with no step at all gives an
    alias (``AliasBackward0``); a lone slice, even ``a[:]``, is always a slice."""
    if not isinstance(key, tuple):
        if isinstance(key, (int, np.integer)):
            return "SelectBackward0"
        if key is None:
            return "UnsqueezeBackward0"
        if key is Ellipsis:
            return "AliasBackward0"
        return "SliceBackward0"
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    name, dim = "AliasBackward0", 0
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - consumed
        elif k is None:
            name = "UnsqueezeBackward0"
        elif isinstance(k, (int, np.integer)):
            name, dim = "SelectBackward0", dim + 1
        else:
            whole = (
                k.start in (None, 0)
                and k.step in (None, 1)
                and (k.stop is None or k.stop >= shape[dim])
            )
            if not whole:
                name = "SliceBackward0"
            dim += 1
    return name


class Index(Function):
    """a[key] for ints, slices, None and ``...``: a view."""

    formula = "gradient placed back at the picked positions, 0 elsewhere"
    label = "[ ]"
    builtin = True
    is_view = True

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.node_name = _basic_name(key, a._array.shape)
        ctx.key, ctx.shape = key, a._array.shape
        return _lookup(a._array, key)

    @staticmethod
    def local(ctx):
        return Local("1 at the positions picked, 0 elsewhere", rule="route")

    @staticmethod
    def backward(ctx, grad):
        return index_gradient(grad, ctx.key, ctx.shape)

    def expression(self, operands):
        return f"{operands[0]}[…]"


class AdvancedIndex(Function):
    """a[key] with integer arrays or boolean masks: a copy."""

    node_name = "IndexBackward0"
    formula = "gradient added back at the picked positions, 0 elsewhere"
    label = "[ ]"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.key, ctx.shape = key, a._array.shape
        ctx.save_for_backward(key)  # PyTorch saves the indices: a second backward raises
        return _lookup(a._array, key)

    @staticmethod
    def local(ctx):
        return Local(
            "1 at each position picked (summed when picked twice), 0 elsewhere", rule="route"
        )

    @staticmethod
    def backward(ctx, grad):
        (key,) = ctx.saved_like(grad)
        return index_gradient(grad, key, ctx.shape)

    expression = Index.expression


def _lookup(array, key):
    try:
        return np.asarray(array[key])
    except IndexError as error:
        message = _key_error(key, array.shape) or str(error).replace("axis", "dimension")
        raise IndexError(message) from None


def _zero_dim_key_error(key):
    """PyTorch's message for indexing a 0-d tensor: a lone integer is checked against a dimension
    of size 0 (0 gets the hint to use item()), a lone slice is refused, anything else (a tuple, a
    tensor) is one index too many."""
    if type(key) is int:
        if key == 0:
            return (
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        return f"index {key} is out of bounds for dimension 0 with size 0"
    if isinstance(key, slice):
        return "slice() cannot be applied to a 0-dim tensor."
    return "too many indices for tensor of dimension 0"


def _key_error(key, shape):
    """PyTorch's message for a key that numpy refused (None: numpy's own message will do)."""
    parts = key if isinstance(key, tuple) else (key,)
    for k in parts:
        if isinstance(k, float):
            return (
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(k).__name__})"
            )
        if isinstance(k, np.ndarray) and k.dtype.kind not in "iub":
            return "tensors used as indices must be long, int, byte or bool tensors"
    masks = [k.ndim for k in parts if isinstance(k, np.ndarray) and k.dtype == np.bool_]
    used = sum(k is not None and k is not Ellipsis for k in parts) + sum(masks) - len(masks)
    if used > len(shape):
        if not shape:
            return _zero_dim_key_error(key)
        return f"too many indices for tensor of dimension {len(shape)}"
    # a mask must match the dimensions it covers; ints before it have already selected
    rest, dim = list(shape), 0
    for k in parts:
        if k is Ellipsis:
            dim += len(shape) - used
        elif k is None:
            rest.insert(dim, 1)
            dim += 1
        elif isinstance(k, (int, np.integer)):
            del rest[dim]
        elif isinstance(k, np.ndarray) and k.dtype == np.bool_:
            for j, size in enumerate(k.shape):
                if rest[dim + j] != size:
                    return (
                        f"The shape of the mask {list(k.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {rest} at index {dim + j}"
                    )
            dim += k.ndim
        else:
            dim += 1
    return None


class IndexGradient(Function):
    """The backward of indexing, itself differentiable (for gradients of gradients). Named as
    PyTorch names the step that undoes the index's first one: ``a[0]`` → SelectBackwardBackward0,
    ``a[1:]`` → SliceBackwardBackward0, ``a[None]`` → SqueezeBackward1, ``a[[0, 1]]`` →
    IndexPutImplBackward0."""

    formula = "d/dg: pick the same positions again"
    label = "index backward"
    builtin = True

    @staticmethod
    def forward(ctx, grad, *, key, shape, name=None):
        ctx.node_name = name or _undoing_name(key)
        ctx.key = key
        return _scatter(grad._array, key, shape)

    @staticmethod
    def local(ctx):
        return Local("the same positions picked again", rule="route")

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key]


def _scatter(values, key, shape):
    out = np.zeros(shape, dtype=np.result_type(values))
    if _is_basic(key):
        out[key] = values
    else:
        np.add.at(out, key, values)  # a position picked twice gets both gradients
    return out


def _undoing_name(key):
    if not _is_basic(key):
        return "IndexPutImplBackward0"
    if not isinstance(key, tuple):
        return (
            "SqueezeBackward1"
            if key is None
            else "SelectBackwardBackward0"
            if isinstance(key, (int, np.integer))
            else "SliceBackwardBackward0"
        )
    for k in key:
        if k is None:
            return "SqueezeBackward1"
        if isinstance(k, (int, np.integer)):
            return "SelectBackwardBackward0"
        if isinstance(k, slice) and not (
            k.start in (None, 0) and k.step in (None, 1) and k.stop is None
        ):
            return "SliceBackwardBackward0"
    return "SliceBackwardBackward0"


def index_gradient(grad, key, shape, name=None):
    """Zeros of ``shape`` with ``grad`` placed at ``key``. An index that takes everything (an
    alias, such as ``a[...]``) passes the gradient through unchanged, as in PyTorch."""
    if _is_basic(key) and np.shape(grad) == shape and _basic_name(key, shape) == "AliasBackward0":
        return grad
    if isinstance(grad, Tensor):
        return IndexGradient.apply(grad, key=key, shape=shape, name=name)
    return _scatter(grad, key, shape)


def select(a, dim, index):
    """a.select(dim, i): a[:, ..., i] with i at dimension ``dim`` (a view, SelectBackward0)."""
    shape = a._array.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, len(shape))
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {d}"
        )
    return Index.apply(a, key=(slice(None),) * d + (int(index),))


def index(a, key):
    key = _numpy_key(key)
    if _is_basic(key):
        return Index.apply(a, key=key)
    return AdvancedIndex.apply(a, key=key)


# -- joining --------------------------------------------------------------------------------------
class Cat(Function):
    node_name = "CatBackward0"
    formula = "each input gets its own slice of the gradient"
    label = "cat"
    builtin = True

    @staticmethod
    def forward(ctx, *tensors, dim):
        arrays = [t._array for t in tensors]
        ctx.dim = dim
        # PyTorch's legacy rule: 1-D empty tensors are left out (beside tensors of any shape)
        skipped = [a.shape == (0,) for a in arrays]
        ctx.skipped = skipped if not all(skipped) else [False] * len(arrays)
        kept = [a for a, skip in zip(arrays, ctx.skipped) if not skip]
        widths = [0 if skip else a.shape[dim] for a, skip in zip(arrays, ctx.skipped)]
        ctx.bounds = np.cumsum([0] + widths)
        return np.concatenate(kept, axis=dim)

    @staticmethod
    def local(ctx):
        return tuple(
            Local(f"1 on its slice {lo}:{hi} along dim {ctx.dim}, 0 elsewhere", rule="route")
            for lo, hi in zip(ctx.bounds[:-1], ctx.bounds[1:])
        )

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return tuple(
            None
            if not need
            else _empty_like(grad)
            if skip
            else grad[lead + (slice(int(lo), int(hi)),)]
            for need, skip, lo, hi in zip(
                ctx.needs_input_grad, ctx.skipped, ctx.bounds[:-1], ctx.bounds[1:]
            )
        )


def _empty_like(grad):
    """The gradient of a tensor cat left out: empty, a constant."""
    if isinstance(grad, Tensor):
        return Tensor._make(np.zeros((0,), grad._array.dtype), False, None)
    return np.zeros((0,), grad.dtype)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._array.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    shaped = [t for t in tensors if t._array.shape != (0,)]  # 1-D empty ones are left out
    first = (shaped or tensors)[0]._array
    dim = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t._array.shape == (0,) and shaped:
            continue
        if t._array.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t._array.ndim}"
            )
        for d in range(first.ndim):
            if d != dim and t._array.shape[d] != first.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected "
                    f"size {first.shape[d]} but got size {t._array.shape[d]} for tensor "
                    f"number {i} in the list."
                )
    return Cat.apply(*tensors, dim=dim)


class Stack(Function):
    node_name = "StackBackward0"
    formula = "each input gets its own slice of the gradient"
    label = "stack"
    builtin = True

    @staticmethod
    def forward(ctx, *tensors, dim):
        ctx.dim = dim
        return np.stack([t._array for t in tensors], axis=dim)

    @staticmethod
    def local(ctx):
        return tuple(
            Local(f"1 on its slice [{i}] along dim {ctx.dim}, 0 elsewhere", rule="route")
            for i in range(len(ctx.needs_input_grad))
        )

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return tuple(
            grad[lead + (i,)] if need else None for i, need in enumerate(ctx.needs_input_grad)
        )


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._array.shape
    for i, t in enumerate(tensors[1:], start=1):
        if t._array.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at "
                f"entry 0 and {list(t._array.shape)} at entry {i}"
            )
    return Stack.apply(*tensors, dim=normalize_dim(dim, len(first) + 1))


# -- diagonals and selection ----------------------------------------------------------------------
class DiagEmbed(Function):
    """A vector laid on the diagonal of a square matrix (``torch.diag`` of a vector)."""

    node_name = "DiagEmbedBackward0"
    formula = "gradient of the diagonal entries only"
    label = "diag"
    builtin = True

    @staticmethod
    def forward(ctx, v):
        ctx.n = v._array.shape[0]
        return np.diag(v._array)

    @staticmethod
    def local(ctx):
        return Local("1 on the diagonal, 0 elsewhere", rule="route")

    @staticmethod
    def backward(ctx, grad):
        i = np.arange(ctx.n)
        return grad[i, i]


class Diagonal(Function):
    """The diagonal of a matrix (``torch.diag`` of a matrix)."""

    node_name = "DiagonalBackward0"
    formula = "gradient placed back on the diagonal, 0 elsewhere"
    label = "diag"
    builtin = True

    @staticmethod
    def forward(ctx, m):
        ctx.shape = m._array.shape
        return np.diagonal(m._array).copy()

    @staticmethod
    def local(ctx):
        return Local("1 on the diagonal, 0 elsewhere", rule="route")

    @staticmethod
    def backward(ctx, grad):
        i = np.arange(min(ctx.shape))
        return index_gradient(grad, (i, i), ctx.shape)


def diag(a, diagonal=0):
    if diagonal != 0:
        raise NotImplementedError("minigrad's diag supports only the main diagonal (diagonal=0)")
    if a._array.ndim == 1:
        return DiagEmbed.apply(a)
    if a._array.ndim == 2:
        return Diagonal.apply(a)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{a._array.ndim}D")


class Where(Function):
    """condition ? a : b, elementwise (broadcasting all three)"""

    node_name = "WhereBackward0"
    formula = "d/da = 1 where the condition holds, d/db = 1 elsewhere"
    scalars_are_inputs = True
    label = "where"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, *, condition):
        ctx.condition = condition
        ctx.save_for_backward(condition)  # as PyTorch: a second backward raises
        ctx.shapes = shape_of(a), shape_of(b)
        out = np.where(condition, value(a), value(b))
        if out.dtype == np.float64 and not any(
            isinstance(v, Tensor) and v._array.dtype == np.float64 for v in (a, b)
        ):
            out = out.astype(np.float32)  # a Python number does not widen a float32 tensor
        return _zero_dim_defers(out, value(a), value(b))  # nor does a 0-d float64 tensor

    @staticmethod
    def local(ctx):
        chosen = np.asarray(ctx.condition, dtype=np.float64)
        return Local("1 where the condition holds, else 0", chosen), Local(
            "0 where the condition holds, else 1", 1 - chosen
        )

    @staticmethod
    def backward(ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b = ctx.shapes
        (condition,) = ctx.saved_like(grad)
        return (
            sum_to(array_or_tensor.where(condition, grad, 0), shape_a) if need_a else None,
            sum_to(array_or_tensor.where(~condition, grad, 0), shape_b) if need_b else None,
        )


def where(condition, a=None, b=None):
    if isinstance(condition, Tensor) and condition._array.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype.legacy_name.removesuffix('Tensor')}"
        )
    if a is None and b is None:  # torch.where(condition): the indices where it holds
        return tuple(
            Tensor._make(i.astype(np.int64), False, None) for i in np.nonzero(value(condition))
        )
    condition = np.asarray(value(condition), dtype=bool)
    return Where.apply(a, b, condition=condition)


# -- copies ---------------------------------------------------------------------------------------
class Clone(Function):
    node_name = "CloneBackward0"
    formula = "d(copy of a)/da = 1"
    label = "clone"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        return a._array.copy()

    @staticmethod
    def local(ctx):
        return Local("1", 1)

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToType(Function):
    node_name = "ToCopyBackward0"
    formula = "gradient converted back to the input's dtype"
    label = "to"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dtype):
        ctx.dtype = a._array.dtype
        return a._array.astype(dtype)

    @staticmethod
    def local(ctx):
        return Local(f"1 (converted back to {ctx.dtype.name})", 1)

    @staticmethod
    def backward(ctx, grad):
        return array_or_tensor.to_dtype(grad, ctx.dtype)


def index_put_(a, key, value):
    from .inplace import apply_inplace
    from ..autograd.grad_mode import STATE

    key = _numpy_key(key)
    if (
        STATE.enabled
        and a._requires_grad
        and a.grad_fn is None
        and _is_basic(key)
        and _basic_name(key if isinstance(key, tuple) else (key,), a._array.shape)
        != "AliasBackward0"
    ):
        # PyTorch writes through a view of the leaf (a[0] = v), unless the key selects all of it
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    if isinstance(value, (int, float)):
        value = Tensor._make(np.asarray(value, dtype=a._array.dtype), False, None)  # PyTorch's edge
    _check_put(a, key, value)
    return apply_inplace(a, IndexPut, value, key=key)


def _check_put(a, key, v):
    """PyTorch's refusals of ``a[key] = v``: a bad key, or a value that does not fit (leading
    size-1 dimensions of the value are dropped first, as PyTorch drops them)."""
    target = _lookup(a._array, key).shape
    shape = v._array.shape if isinstance(v, Tensor) else np.shape(v)
    stripped = shape
    while len(stripped) > len(target) and stripped[0] == 1:
        stripped = stripped[1:]
    if _is_basic(key):
        if len(stripped) > len(target):
            raise RuntimeError(
                f"expand(torch.{v.dtype.legacy_name}{{{list(shape)}}}, size={list(target)}): the "
                f"number of sizes provided ({len(target)}) must be greater or equal to the number "
                f"of dimensions in the tensor ({len(shape)})"
            )
        lead = len(target) - len(stripped)
        for i, size in enumerate(target):
            old = stripped[i - lead] if i >= lead else 1
            if old != 1 and old != size:
                raise RuntimeError(
                    f"The expanded size of the tensor ({size}) must match the existing size "
                    f"({old}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  "
                    f"Tensor sizes: {list(stripped)}"
                )
        return
    try:
        fits = np.broadcast_shapes(stripped, target) == tuple(target)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        )


class IndexPut(Function):
    """a[key] = v, recorded like PyTorch records it: ``CopySlices`` (a copy into the view a[key])
    for ints and slices, ``IndexPutBackward0`` for integer arrays and masks."""

    node_name = "CopySlices"
    formula = (
        "d/da: gradient with the overwritten positions zeroed;  d/dv: gradient at those positions"
    )
    label = "[ ]="
    builtin = True

    def name(self):
        if self.node_name == "CopySlices":
            return "torch::autograd::CopySlices"  # PyTorch's C++ name (its type is CopySlices)
        return self.node_name

    @staticmethod
    def forward(ctx, a, v, *, key):
        if not _is_basic(key):
            ctx.node_name = "IndexPutBackward0"
        ctx.key, ctx.value_shape, ctx.out_shape = key, shape_of(v), a._array.shape
        out = a._array.copy()
        out[key] = value(v)
        return out

    @staticmethod
    def local(ctx):
        keep = np.ones(ctx.out_shape)
        keep[ctx.key] = 0
        return Local("0 at the overwritten positions, else 1", keep), Local(
            "1 at the positions written", rule="route"
        )

    @staticmethod
    def backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        grad_a = None
        if need_a:
            keep = np.ones(np.shape(grad), dtype=bool)
            keep[ctx.key] = False
            grad_a = grad * keep
        grad_v = None
        if need_v:  # a value with more (leading size-1) dimensions than a[key] gets them back
            grad_v = grad[ctx.key]
            extra = len(ctx.value_shape) - np.ndim(grad_v)
            if extra > 0:
                grad_v = _reshape(grad_v, (1,) * extra + np.shape(grad_v))
            grad_v = sum_to(grad_v, ctx.value_shape)
        return grad_a, grad_v
