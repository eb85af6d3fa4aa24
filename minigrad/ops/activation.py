"""Activations: tanh, sigmoid, relu, softmax and log-softmax.

Each saves its *output*, because each derivative is simplest written with it. Each backward is
also an op of its own (``TanhBackward`` ...), because PyTorch records it as one node when a
gradient is itself differentiated (``create_graph=True``): the first gradient of ``tanh(x)``
prints ``grad_fn=<TanhBackwardBackward0>``.
"""

import numpy as np

from ..autograd.chain_rule import Local, as_computed
from ..autograd.function import Function
from .array_or_tensor import (
    exp,
    gradient_formula,
    sigmoid,
    sigmoid_array,
    sum,
    zero_where,
    zeros_like,
)
from .._quiet import quiet_numpy
from ._util import floating, max_along, normalize_dim, sum_along, value


class Tanh(Function):
    node_name = "TanhBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d tanh(a)/da = 1 - tanh²(a)"
    label = "tanh"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        return Local("1 - tanh²({a})", 1 - out * out)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return gradient_formula(TanhBackward, grad, out)


class TanhBackward(Function):
    """g·(1 - t²) for the incoming gradient g and t = tanh(a)"""

    node_name = "TanhBackwardBackward0"
    formula = "d/dg = 1 - t²,  d/dt = -2·g·t"
    label = "tanh backward"
    builtin = True

    @staticmethod
    def compute(grad, out):
        return grad * (1 - out * out)

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(grad, out)
        return TanhBackward.compute(grad._array, out._array)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_like(gg)
        need_grad, need_out = ctx.needs_input_grad
        return (
            gg * (1 - out * out) if need_grad else None,
            -2 * gg * grad * out if need_out else None,
        )


class Sigmoid(Function):
    node_name = "SigmoidBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d σ(a)/da = σ(a)·(1 - σ(a))"
    label = "σ"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        x = floating(a)
        with np.errstate(over="ignore"):  # PyTorch's 1 / (1 + e⁻ˣ): exactly 0 once e⁻ˣ is inf
            out = np.reciprocal(1 + np.exp(-x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        return Local("σ({a})·(1 - σ({a}))", out * (1 - out))

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return gradient_formula(SigmoidBackward, grad, out)


class SigmoidBackward(Function):
    """g·s·(1 - s) for the incoming gradient g and s = σ(a)"""

    node_name = "SigmoidBackwardBackward0"
    formula = "d/dg = s(1 - s),  d/ds = g·(1 - 2s)"
    label = "σ backward"
    builtin = True

    @staticmethod
    def compute(grad, out):
        return grad * out * (1 - out)

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(grad, out)
        return SigmoidBackward.compute(grad._array, out._array)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_like(gg)
        need_grad, need_out = ctx.needs_input_grad
        return (
            gg * out * (1 - out) if need_grad else None,
            gg * grad * (1 - 2 * out) if need_out else None,
        )


class LogSigmoid(Function):
    """log σ(a), computed as -log(1 + e⁻ᵃ) without overflow"""

    node_name = "LogSigmoidBackward0"
    formula = "d log σ(a)/da = 1 - σ(a)"
    label = "logsigmoid"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return -np.logaddexp(0, -floating(a))

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        return Local("1 - σ({a})", sigmoid_array(-a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return gradient_formula(LogSigmoidBackward, grad, a)


class LogSigmoidBackward(Function):
    """g·σ(-a) for the incoming gradient g (1 - σ(a) = σ(-a), which never cancels)"""

    node_name = "LogSigmoidBackwardBackward0"
    formula = "d/dg = σ(-a),  d/da = -g·σ(a)·σ(-a)"
    label = "logsigmoid backward"
    builtin = True

    @staticmethod
    def compute(grad, a):
        return grad * sigmoid_array(-a)

    @staticmethod
    def forward(ctx, grad, a):
        ctx.save_for_backward(grad, a)
        return LogSigmoidBackward.compute(grad._array, a._array)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, a = ctx.saved_like(gg)
        need_grad, need_a = ctx.needs_input_grad
        return (
            gg * sigmoid(-a) if need_grad else None,
            -gg * grad * sigmoid(a) * sigmoid(-a) if need_a else None,
        )


class Relu(Function):
    node_name = "ReluBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d relu(a)/da = 1 if a > 0 else 0"
    label = "relu"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a._array, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        return Local("1 where {a} > 0, else 0", (~(out <= 0)).astype(out.dtype))

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return gradient_formula(ThresholdBackward, grad, out)


class ThresholdBackward(Function):
    """g where the relu's output r is positive, 0 elsewhere. PyTorch keeps r as an input, so a
    gradient of relu is differentiable (its derivative with respect to r is 0)."""

    node_name = "ThresholdBackwardBackward0"
    formula = "d/dg = 1 where r > 0, else 0;  d/dr = 0"
    label = "relu backward"
    builtin = True

    @staticmethod
    def compute(grad, out):
        return zero_where(value(out) <= 0, grad)  # a constant mask; nan passes, as in PyTorch

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(out)
        return ThresholdBackward.compute(grad._array, out._array)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        (out,) = ctx.saved_like(gg)
        need_grad, need_out = ctx.needs_input_grad
        return (
            gradient_formula(ThresholdBackward, gg, out) if need_grad else None,
            zeros_like(gg) if need_out else None,
        )


class Softmax(Function):
    node_name = "SoftmaxBackward0"
    formula = "d sᵢ/daⱼ = sᵢ(δᵢⱼ - sⱼ)"
    label = "softmax"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim = normalize_dim(dim, a._array.ndim)
        with np.errstate(invalid="ignore"):  # a row of -inf only: nan, quietly
            shifted = np.exp(a._array - max_along(a._array, dim, keepdims=True))
            out = shifted / sum_along(shifted, dim, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        if out.ndim == 0:  # a softmax over one value is always 1
            return Local("0 (one value: s = 1 always)", 0.0)
        s = np.moveaxis(out, ctx.dim, -1)
        jacobian = s[..., :, None] * (
            np.eye(s.shape[-1]) - s[..., None, :]
        )  # J[j, i] = sⱼ(δⱼᵢ - sᵢ)
        return Local("J[j, i] = sⱼ·(δⱼᵢ - sᵢ), s = softmax({a})", jacobian, "gJ", axis=ctx.dim)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return gradient_formula(SoftmaxBackward, grad, out, dim=ctx.dim)


class SoftmaxBackward(Function):
    """s·(g - Σ g·s) along ``dim``, for the incoming gradient g and s = softmax(a)"""

    node_name = "SoftmaxBackwardDataBackward0"
    formula = "d/dg = s·(gg - Σ gg·s),  d/ds = gg·(g - Σ g·s) - g·Σ gg·s"
    label = "softmax backward"
    builtin = True

    @staticmethod
    def compute(grad, out, *, dim):
        return out * (grad - sum(grad * out, dim, keepdim=True))

    @staticmethod
    def forward(ctx, grad, out, *, dim):
        ctx.save_for_backward(grad, out)
        ctx.dim = dim
        return SoftmaxBackward.compute(grad._array, out._array, dim=dim)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_like(gg)
        need_grad, need_out = ctx.needs_input_grad
        return (
            out * (gg - sum(gg * out, ctx.dim, keepdim=True)) if need_grad else None,
            gg * (grad - sum(grad * out, ctx.dim, keepdim=True))
            - grad * sum(gg * out, ctx.dim, keepdim=True)
            if need_out
            else None,
        )


class LogSoftmax(Function):
    node_name = "LogSoftmaxBackward0"
    formula = "d log sᵢ/daⱼ = δᵢⱼ - sⱼ"
    label = "log_softmax"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim = normalize_dim(dim, a._array.ndim)
        # a row of -inf only: nan, quietly (and log 0 of an empty tensor's rows)
        with quiet_numpy():
            shifted = a._array - max_along(a._array, dim, keepdims=True)
            out = shifted - np.log(sum_along(np.exp(shifted), dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        if out.ndim == 0:  # one value: log s = 0 always
            return Local("0 (one value: log s = 0 always)", 0.0)
        s = np.exp(np.moveaxis(out, ctx.dim, -1))
        jacobian = np.eye(s.shape[-1]) - s[..., None, :]  # J[j, i] = δⱼᵢ - sᵢ
        return Local("J[j, i] = δⱼᵢ - sᵢ, s = softmax({a})", jacobian, "gJ", axis=ctx.dim)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return gradient_formula(LogSoftmaxBackward, grad, out, dim=ctx.dim)


class LogSoftmaxBackward(Function):
    """g - eˡ·Σ g along ``dim``, for the incoming gradient g and l = log_softmax(a)"""

    node_name = "LogSoftmaxBackwardDataBackward0"
    formula = "d/dg = gg - Σ gg·eˡ,  d/dl = -gg·eˡ·Σ g"
    label = "log_softmax backward"
    builtin = True

    @staticmethod
    def compute(grad, out, *, dim):
        return grad - exp(out) * sum(grad, dim, keepdim=True)

    @staticmethod
    def forward(ctx, grad, out, *, dim):
        ctx.save_for_backward(grad, out)
        ctx.dim = dim
        return LogSoftmaxBackward.compute(grad._array, out._array, dim=dim)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, out = ctx.saved_like(gg)
        need_grad, need_out = ctx.needs_input_grad
        return (
            gg - sum(gg * exp(out), ctx.dim, keepdim=True) if need_grad else None,
            -gg * exp(out) * sum(grad, ctx.dim, keepdim=True) if need_out else None,
        )
