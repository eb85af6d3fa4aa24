"""Matrix products. ``matmul`` picks the op PyTorch would use for the operands' dimensions."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, tensor
from ._util import broadcast_message
from ._dual import reshape, sum, sum_to, t, transpose, unsqueeze


class Dot(Function):
    """vector · vector"""
    node_name = "DotBackward0"
    formula = "d(a·b)/da = b,  d(a·b)/db = a"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.asarray(np.dot(a.data, b.data))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None, grad * a if need_b else None)


class Mv(Function):
    """matrix @ vector"""
    node_name = "MvBackward0"
    formula = "d(A@v)/dA = g ⊗ v,  d(A@v)/dv = Aᵀ@g"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        return (grad[:, None] * b if need_a else None,
                t(a) @ grad if need_b else None)


class Mm(Function):
    """matrix @ matrix"""
    node_name = "MmBackward0"
    formula = "d(A@B)/dA = g@Bᵀ,  d(A@B)/dB = Aᵀ@g"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        return (grad @ t(b) if b is not None else None,
                t(a) @ grad if a is not None else None)


class VecMat(Function):
    """vector @ matrix. PyTorch records it as unsqueeze -> mm -> squeeze; here it is one node,
    named after the core op (``MmBackward0``)."""
    node_name = "MmBackward0"
    formula = "d(v@B)/dv = B@g,  d(v@B)/dB = v ⊗ g"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        return (b @ grad if b is not None else None,
                a[:, None] * grad if a is not None else None)


class BatchedMatmul(Function):
    """Batched products (any operand with more than 2 dims), broadcasting the batch dims.
    PyTorch records bmm with views around it; here it is one node named after bmm."""
    node_name = "BmmBackward0"
    formula = "d(A@B)/dA = g@Bᵀ,  d(A@B)/dB = Aᵀ@g  (per batch)"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a.data, b.data)

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


def matmul(a, b):
    if not isinstance(b, Tensor):
        b = tensor(b)
    da, db = a.data.ndim, b.data.ndim
    sa, sb = a.data.shape, b.data.shape
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to "
                               f"have the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return Dot.apply(a, b)
    if da == 2 and db == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})")
        return Mv.apply(a, b)
    if da == 1 and db == 2:
        if sa[0] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{sa[0]} and {sb[0]}x{sb[1]})")
        return VecMat.apply(a, b)
    if da == 2 and db == 2:
        if sa[1] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
        return Mm.apply(a, b)
    inner_a, inner_b = sa[-1], (sb[-2] if db > 1 else sb[0])
    if inner_a != inner_b:
        if da == 3 and db == 3 and sa[0] == sb[0]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({int(np.prod(sa[:-1]))}x{sa[-1]} and {inner_b}x{sb[-1] if db > 1 else 1})")
    try:
        np.broadcast_shapes(sa[:-2] if da > 1 else (), sb[:-2] if db > 1 else ())
    except ValueError:
        raise RuntimeError(broadcast_message(sa[:-2], sb[:-2])) from None
    return BatchedMatmul.apply(a, b)


class Linear(Function):
    """x @ Wᵀ + b for a batch of rows x, in one node as PyTorch does (``AddmmBackward0``)."""
    node_name = "AddmmBackward0"
    formula = "d/dx = g@W,  d/dW = gᵀ@x,  d/db = Σ rows of g"
    builtin = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, weight if need_x else None)
        return x.data @ weight.data.T + bias.data

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_like(grad)
        need_b = ctx.needs_input_grad[2]
        return (grad @ weight if weight is not None else None,
                t(grad) @ x if x is not None else None,
                sum(grad, 0) if need_b else None)


def linear(x, weight, bias=None):
    if x.data.ndim == 2 and bias is not None and bias.data.ndim == 1:
        if x.data.shape[1] != weight.data.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.data.shape[0]}x{x.data.shape[1]} "
                               f"and {weight.data.shape[1]}x{weight.data.shape[0]})")
        return Linear.apply(x, weight, bias)
    out = matmul(x, weight.t())
    return out if bias is None else out + bias
