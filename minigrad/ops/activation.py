"""Activations: tanh, sigmoid, relu, softmax and log-softmax.

Each saves its *output*, because each derivative is simplest written with it.
"""
import numpy as np

from ..autograd.function import Function
from ._dual import exp, sigmoid, sigmoid_array, sum
from ._util import floating, normalize_dim, value


class Tanh(Function):
    node_name = "TanhBackward0"
    formula = "d tanh(a)/da = 1 - tanh²(a)"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_like(grad)
        return grad * (1 - out * out)


class Sigmoid(Function):
    node_name = "SigmoidBackward0"
    formula = "d σ(a)/da = σ(a)·(1 - σ(a))"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        out = sigmoid_array(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_like(grad)
        return grad * out * (1 - out)


class LogSigmoid(Function):
    """log σ(a), computed as -log(1 + e⁻ᵃ) without overflow"""
    node_name = "LogSigmoidBackward0"
    formula = "d log σ(a)/da = 1 - σ(a)"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return -np.logaddexp(0, -floating(a))

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_like(grad)
        return grad * sigmoid(-a)


class Relu(Function):
    node_name = "ReluBackward0"
    formula = "d relu(a)/da = 1 if a > 0 else 0"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a._array, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_like(grad)
        return grad * (value(out) > 0)  # a constant mask: never differentiated


class Softmax(Function):
    node_name = "SoftmaxBackward0"
    formula = "d sᵢ/daⱼ = sᵢ(δᵢⱼ - sⱼ)"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim = normalize_dim(dim, a._array.ndim)
        shifted = np.exp(a._array - a._array.max(axis=dim, keepdims=True))
        out = shifted / shifted.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_like(grad)
        return out * (grad - sum(grad * out, ctx.dim, keepdim=True))


class LogSoftmax(Function):
    node_name = "LogSoftmaxBackward0"
    formula = "d log sᵢ/daⱼ = δᵢⱼ - sⱼ"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim = normalize_dim(dim, a._array.ndim)
        shifted = a._array - a._array.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_like(grad)
        return grad - exp(out) * sum(grad, ctx.dim, keepdim=True)
