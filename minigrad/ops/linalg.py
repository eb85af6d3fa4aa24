"""Matrix products. ``matmul`` picks the op PyTorch would use for the operands' dimensions."""

import numpy as np

from .._dtype import C_TYPE_NAME
from ..autograd.chain_rule import Local
from ..autograd.function import Function
from ..tensor import Tensor, tensor
from ._util import broadcast_message
from .array_or_tensor import reshape, sum, sum_to, t, t_matmul, transpose, unsqueeze


class Dot(Function):
    """vector · vector"""

    node_name = "DotBackward0"
    formula = "d(a·b)/da = b,  d(a·b)/db = a"
    label = "dot"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.asarray(np.dot(a._array, b._array))

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        return Local("{b}", b), Local("{a}", a)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None, grad * a if need_b else None)


class Mv(Function):
    """matrix @ vector"""

    node_name = "MvBackward0"
    formula = "d(A@v)/dA = g ⊗ v,  d(A@v)/dv = Aᵀ@g"
    label = "matmul"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._array @ b._array

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        return Local("{b}", b, "g⊗v"), Local("{a}ᵀ", a.T, "v@g")

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        return (grad[:, None] * b if need_a else None, t(a) @ grad if need_b else None)


class Mm(Function):
    """matrix @ matrix"""

    node_name = "MmBackward0"
    saved_names = ("self", "mat2")  # node._saved_<name>, as PyTorch names them
    formula = "d(A@B)/dA = g@Bᵀ,  d(A@B)/dB = Aᵀ@g"
    label = "matmul"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.column_major = _column_major(a._array), _column_major(b._array)
        return a._array @ b._array

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        return (
            Local("{b}ᵀ", None if b is None else b.T, "g@v"),
            Local("{a}ᵀ", None if a is None else a.T, "v@g"),
        )

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        if isinstance(grad, Tensor):  # PyTorch's formulas give a column-major operand's
            a_cols, b_cols = ctx.column_major  # gradient as a transposed product (TBackward0)
            return (
                None if b is None else t(b @ t(grad)) if a_cols else grad @ t(b),
                None if a is None else t(t(grad) @ a) if b_cols else t(a) @ grad,
            )
        return (grad @ t(b) if b is not None else None, t(a) @ grad if a is not None else None)


def _column_major(x):
    """PyTorch's test in mm's backward: strides (1, rows), in elements (a transposed matrix, or
    a single column or row whose strides say so)."""
    return x.ndim == 2 and x.strides == (x.itemsize, x.itemsize * x.shape[0])


class VecMat(Function):
    """vector @ matrix. PyTorch records it as unsqueeze -> mm -> squeeze; here it is one node,
    named after the core op (``MmBackward0``)."""

    node_name = "MmBackward0"
    formula = "d(v@B)/dv = B@g,  d(v@B)/dB = v ⊗ g"
    label = "matmul"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a._array @ b._array

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        return Local("{b}", b, "v@g"), Local("{a}", a, "v⊗g")

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        return (b @ grad if b is not None else None, a[:, None] * grad if a is not None else None)


class BatchedMatmul(Function):
    """Batched products (any operand with more than 2 dims), broadcasting the batch dims.
    PyTorch records bmm with views around it; here it is one node named after bmm."""

    node_name = "BmmBackward0"
    formula = "d(A@B)/dA = g@Bᵀ,  d(A@B)/dB = Aᵀ@g  (per batch)"
    label = "matmul"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a._array, b._array)

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        if a.ndim == 1 or b.ndim == 1:  # a vector operand: shown as the engine computed it
            return Local("{b}ᵀ (per batch)", rule="route"), Local("{a}ᵀ (per batch)", rule="route")
        return (
            Local("{b}ᵀ (per batch)", np.swapaxes(b, -1, -2), "g@v"),
            Local("{a}ᵀ (per batch)", np.swapaxes(a, -1, -2), "v@g"),
        )

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        # treat 1-D operands as matrices, exactly as the forward did
        shape_a, shape_b = np.shape(a), np.shape(b)
        a2 = unsqueeze(a, 0) if len(shape_a) == 1 else a
        b2 = unsqueeze(b, 1) if len(shape_b) == 1 else b
        g = grad
        if len(shape_a) == 1:
            g = unsqueeze(g, -2)
        if len(shape_b) == 1:
            g = unsqueeze(g, -1)
        grad_a = grad_b = None
        if need_a:
            grad_a = reshape(sum_to(g @ transpose(b2, -1, -2), np.shape(a2)), shape_a)
        if need_b:
            grad_b = reshape(sum_to(transpose(a2, -1, -2) @ g, np.shape(b2)), shape_b)
        return grad_a, grad_b


class Bmm(BatchedMatmul):
    """``torch.bmm``: 3-D operands with the same batch, nothing to broadcast or reshape, so its
    gradients are products on top (BmmBackward0 under create_graph, as PyTorch's; a batched
    ``matmul`` ends its gradients in a reshape, ViewBackward0, as PyTorch's matmul does)."""

    node_name = "BmmBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        return (
            grad @ transpose(b, -1, -2) if need_a else None,
            transpose(a, -1, -2) @ grad if need_b else None,
        )


def matmul(a, b):
    if not isinstance(b, Tensor):
        b = tensor(b)
    da, db = a._array.ndim, b._array.ndim
    sa, sb = a._array.shape, b._array.shape
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(
                f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})"
            )
        _check_mv_dtypes(a, b)
        return Mv.apply(a, b)
    if da == 1 and db == 2:
        if sa[0] != sb[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied (1x{sa[0]} and {sb[0]}x{sb[1]})"
            )
        _check_mm_dtypes(a, b)
        return VecMat.apply(a, b)
    if da == 2 and db == 2:
        return mm(a, b)
    message = _batched_error(a, b)
    if message is not None:
        raise RuntimeError(message)
    if a._array.dtype != b._array.dtype:  # PyTorch folds some batched products into mv or mm
        if db == 1:
            _check_mv_dtypes(a, b)
        if db == 2:
            _check_mm_dtypes(a, b)
        raise RuntimeError(f"expected scalar type {_scalar_type(a)} but found {_scalar_type(b)}")
    return BatchedMatmul.apply(a, b)


def mm(a, b):
    """matrix @ matrix, and nothing else (``torch.mm``)."""
    if not isinstance(b, Tensor):
        b = tensor(b)
    if a._array.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._array.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    (n, k), (k2, m) = a._array.shape, b._array.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    _check_mm_dtypes(a, b)
    return Mm.apply(a, b)


def dot(a, b):
    """vector · vector, and nothing else (``torch.dot``)."""
    if not isinstance(b, Tensor):
        b = tensor(b)
    da, db = a._array.ndim, b._array.ndim
    if da != 1 or db != 1:
        raise RuntimeError(f"1D tensors expected, but got {da}D and {db}D tensors")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_scalar_type(a)} and {_scalar_type(b)}"
        )
    n, n2 = a._array.shape[0], b._array.shape[0]
    if n != n2:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{n2}] to have the same "
            f"number of elements, but got {n} and {n2} elements respectively"
        )
    return Dot.apply(a, b)


def bmm(a, b):
    """batch of matrices @ batch of matrices, both 3-D with the same batch (``torch.bmm``)."""
    if not isinstance(b, Tensor):
        b = tensor(b)
    if a._array.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._array.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (batch, _, k), got = a._array.shape, b._array.shape
    if got[:2] != (batch, k):
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{batch}, {k}] but got: [{got[0]}, {got[1]}]."
        )
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type(a)} but found {_scalar_type(b)}")
    return Bmm.apply(a, b)


def _check_mm_dtypes(a, b):
    if a._array.dtype != b._array.dtype:
        first, second = (C_TYPE_NAME[x._array.dtype.name] for x in (a, b))
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {first} != {second}"
        )


def _check_mv_dtypes(a, v):
    if a._array.dtype != v._array.dtype:  # PyTorch names the result's dtype (the vector's) first
        vec, mat = _scalar_type(v), _scalar_type(a)
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {vec}, {mat}, and {vec}"
        )


def _batched_error(a, b):
    """PyTorch's message for a bad batched product (None if the shapes fit).

    PyTorch either folds the batch dims into one matrix product (mm/mv) or broadcasts the batch
    dims and calls bmm, and its error comes from whichever it chose; the choice depends on the
    dims, on whether the smaller operand requires grad and on the memory layout (``should_fold``
    in ATen's LinearAlgebra.cpp). A 3-D operand with a batch of one that requires grad, against
    another 3-D operand, is first used as a plain matrix.
    """
    x, y = a._array, b._array
    if x.ndim == 3 and y.ndim == 3:
        if x.shape[0] == 1 and y.shape[0] != 1 and a.requires_grad:
            x = x[0]
        elif y.shape[0] == 1 and x.shape[0] != 1 and b.requires_grad:
            y = y[0]
    sa, sb = x.shape, y.shape
    da, db = len(sa), len(sb)
    first_larger = da >= db
    if (
        max(da, db) >= 3
        and min(da, db) <= 2
        and _folds(x, y, a.requires_grad, b.requires_grad, first_larger)
    ):
        if first_larger:  # a folded to (rows x inner), times b
            rows, inner, other = int(np.prod(sa[:-1])), sa[-1], sb
        else:  # computed as (bᵀ folded) times aᵀ
            rows, inner = int(np.prod(sb[:-2])) * sb[-1], sb[-2]
            other = sa[::-1]
        if inner == other[0]:
            return None
        if len(other) == 2:
            return (
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner} and "
                f"{other[0]}x{other[1]})"
            )
        return f"size mismatch, got input ({rows}), mat ({rows}x{inner}), vec ({other[0]})"
    batch_a, batch_b = sa[: max(da - 2, 0)], sb[: max(db - 2, 0)]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        return broadcast_message(batch_a, batch_b)
    m1, m2 = sa[-1], (sb[-2] if db > 1 else sb[0])
    if m1 != m2:
        n = int(np.prod(batch))
        return (
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {m1}] "
            f"but got: [{n}, {m2}]."
        )
    return None


def _folds(x, y, x_requires_grad, y_requires_grad, first_larger):
    if y_requires_grad if first_larger else x_requires_grad:
        return True
    if x.ndim == 2:
        return False
    t1 = x if first_larger else np.swapaxes(y, -1, -2)
    if t1.size == 0:
        return True
    return all(t1.strides[i] == t1.strides[i + 1] * t1.shape[i + 1] for i in range(t1.ndim - 1))


class Linear(Function):
    """bias + x @ Wᵀ for a batch of rows x, in one node as PyTorch does (``AddmmBackward0``), with
    PyTorch's edges: (bias, x, Wᵀ), Wᵀ coming from a ``TBackward0`` node of the weight."""

    node_name = "AddmmBackward0"
    formula = "d/db = Σ rows of g,  d/dx = g@W,  d/dWᵀ = xᵀ@g"
    label = "addmm"
    builtin = True

    @staticmethod
    def forward(ctx, bias, x, weight_t):
        _, need_x, need_w = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, weight_t if need_x else None)
        out = x._array @ weight_t._array
        if out.dtype != bias._array.dtype:  # numpy's promotion decides the result's dtype
            return out + bias._array
        out += bias._array  # in place: one (rows x features) array made, not two
        return out

    @staticmethod
    def local(ctx):
        x, weight_t = ctx.saved_like(None)
        return (
            Local("1", 1),
            Local("{c}ᵀ", None if weight_t is None else weight_t.T, "g@v"),
            Local("{b}ᵀ", None if x is None else x.T, "v@g"),
        )

    @staticmethod
    def backward(ctx, grad):
        x, weight_t = ctx.saved_like(grad)
        need_b = ctx.needs_input_grad[0]
        return (
            sum(grad, 0) if need_b else None,
            grad @ t(weight_t) if weight_t is not None else None,
            t_matmul(x, grad) if x is not None else None,
        )


def linear(x, weight, bias=None):
    if bias is not None:  # PyTorch's addmm checks, in its order
        if x._array.dtype != weight._array.dtype:
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{_scalar_type(x)} and {_scalar_type(weight)}"
            )
        if bias._array.dtype != weight._array.dtype:
            raise RuntimeError(
                "self and mat2 must have the same dtype, but got "
                f"{_scalar_type(bias)} and {_scalar_type(weight)}"
            )
    if (
        bias is not None
        and bias._array.ndim == 1
        and x._array.ndim not in (0, 2)
        and x._array.flags.c_contiguous
    ):
        # PyTorch's fused path: rows flattened to a matrix, addmm, the batch shape put back
        out = linear(x.reshape(-1, x._array.shape[-1]), weight, bias)
        return out.view(x._array.shape[:-1] + weight._array.shape[:1])
    if x._array.ndim == 2 and bias is not None and bias._array.ndim == 1:
        if x._array.shape[1] != weight._array.shape[1]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({x._array.shape[0]}x{x._array.shape[1]} "
                f"and {weight._array.shape[1]}x{weight._array.shape[0]})"
            )
        return Linear.apply(bias, x, weight.t())
    out = matmul(x, weight.t())
    return out if bias is None else out + bias


def mv(a, v):
    """matrix @ vector, and nothing else (``torch.mv``): PyTorch's checks first."""
    if a._array.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if a._array.ndim != 2 or v._array.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._array.ndim}, {v._array.ndim}"
        )
    if a._array.shape[1] != v._array.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._array.shape[0]}), mat "
            f"({a._array.shape[0]}x{a._array.shape[1]}), vec ({v._array.shape[0]})"
        )
    _check_mv_dtypes(a, v)
    return Mv.apply(a, v)


def _scalar_type(x):
    from .reduction import _SCALAR_TYPE

    name = x._array.dtype.name
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(
        name, _SCALAR_TYPE.get(name, name)
    )
