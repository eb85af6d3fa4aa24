"""Loss functions, each one graph node with its gradient formula (as PyTorch records them)."""

import functools
import math
import warnings

import numpy as np

from .._quiet import quiet_numpy
from ..autograd.chain_rule import Local, as_computed, constant_text
from ..autograd.function import Function
from ..tensor import Tensor
from .array_or_tensor import (
    divide_by,
    exp,
    gradient_formula,
    log,
    sigmoid,
    sigmoid_array,
    sum_to,
    unsqueeze,
    zeros_like,
)
from ._util import binary, size_repr


def _reduce(values, reduction):
    if reduction == "mean":  # np.add.reduce: the C call under .sum(), without its Python wrapper
        if values.size == 0:  # the mean of nothing: nan, without numpy's 0/0 warning
            return np.asarray(np.nan, dtype=values.dtype)
        return np.asarray(np.add.reduce(values, axis=None) / values.size, dtype=values.dtype)
    if reduction == "sum":
        return np.asarray(np.add.reduce(values, axis=None), dtype=values.dtype)
    if reduction == "none":
        return values
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _scale(grad, reduction, count):
    """The incoming gradient as each element sees it: 1/n of it for a mean."""
    return grad / count if reduction == "mean" else grad


def _per_element(reduction, count):
    """The n of a mean reduction (every element's share of the gradient is 1/n), else 1."""
    return count if reduction == "mean" else 1


@functools.lru_cache(maxsize=256)  # built on every forward: the same few strings again and again
def _formula(derivative, reduction, count, weighted=False):
    """The node's formula as its backward computes it: a mean divides every element's share by n."""
    if weighted:
        derivative = derivative.replace(" = ", " = weight·(", 1) + ")"
    if reduction != "mean":
        return derivative
    left, right = derivative.split(" = ", 1)
    return f"{left} = ({right})/n,  n = {count}"


def _scaled(formula, value, n):
    """A loss's local derivative for one element, including the 1/n of a mean."""
    if n == 1:
        return Local(formula, value)
    return Local(f"({formula})/{constant_text(n)}", value / n)


class BinaryCrossEntropyWithLogits(Function):
    """loss = -[y·log σ(z) + (1-y)·log(1-σ(z))], computed stably from the logits z."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"
    formula = "d loss/dz = σ(z) - y  (divided by n for a mean)"
    label = "BCE with logits"
    builtin = True

    @staticmethod
    def forward(ctx, z, y, *, weight=None, pos_weight=None, reduction="mean"):
        x, t = z._array, y._array
        if pos_weight is None:
            loss = np.logaddexp(0, x) - x * t  # = log(1 + eᶻ) - z·y, without overflow
        else:
            loss = (1 - t) * x + (1 + (pos_weight._array - 1) * t) * np.logaddexp(0, -x)
        if weight is not None:
            loss = loss * weight._array
        ctx.save_for_backward(z, y)
        # the weights are constants (they never get a gradient): keep their values
        ctx.weight = None if weight is None else weight._array
        ctx.pos_weight = None if pos_weight is None else pos_weight._array
        ctx.reduction, ctx.count = reduction, x.size
        if pos_weight is None:
            ctx.formula = _formula("d loss/dz = σ(z) - y", reduction, x.size, weight is not None)
        else:
            ctx.formula = _formula(
                "d loss/dz = (1 - y) - (1 + (pos_weight - 1)·y)·(1 - σ(z))",
                reduction,
                x.size,
                weight is not None,
            )
        # in the target's dtype: PyTorch writes the loss into a buffer made from the target
        return _reduce(loss if loss.dtype is t.dtype else loss.astype(t.dtype), reduction)

    @staticmethod
    def local(ctx):
        z, y = ctx.saved_like(None)
        weight, pos_weight = ctx.weight, ctx.pos_weight
        n = _per_element(ctx.reduction, ctx.count)
        if pos_weight is None:
            dz, dy = "σ({a}) - {b}", "-{a}"
            value_z, value_y = sigmoid_array(z) - y, -z
        else:
            dz, dy = (
                "(1 - {b}) - (1 + (pos_weight - 1)·{b})·(1 - σ({a}))",
                "(pos_weight - 1)·ln(1 + e^-{a}) - {a}",
            )
            value_z = (1 - y) - (1 + (pos_weight - 1) * y) * (1 - sigmoid_array(z))
            value_y = (pos_weight - 1) * np.log1p(np.exp(-z)) - z
        if weight is not None:
            dz, dy = f"weight·({dz})", f"weight·({dy})"
            value_z, value_y = value_z * weight, value_y * weight
        return _scaled(dz, value_z, n), _scaled(dy, value_y, n)

    @staticmethod
    def backward(ctx, grad):
        z, y = ctx.saved_like(grad)
        weight, pos_weight = ctx.weight, ctx.pos_weight
        need_z, need_y = ctx.needs_input_grad
        if pos_weight is None:
            dz = sigmoid(z) - y
            dy = -z if need_y else None
        else:
            log_weight = 1 + (pos_weight - 1) * y
            dz = (1 - y) - log_weight * (1 - sigmoid(z))
            dy = (-z + (pos_weight - 1) * log(1 + exp(-z))) if need_y else None
        if weight is not None:
            dz = dz * weight
            dy = dy * weight if dy is not None else None
        mean = ctx.reduction == "mean"  # then divided last, by a number (PyTorch's DivBackward1)
        return (divide_by(dz * grad, ctx.count) if mean else dz * grad) if need_z else None, (
            divide_by(dy * grad, ctx.count) if mean else dy * grad
        ) if need_y else None


class BinaryCrossEntropy(Function):
    """loss = -[y·log p + (1-y)·log(1-p)] for probabilities p (logs clamped at -100, as PyTorch)."""

    node_name = "BinaryCrossEntropyBackward0"
    formula = "d loss/dp = (p - y)/(p·(1 - p))  (divided by n for a mean)"
    label = "BCE"
    builtin = True

    @staticmethod
    def forward(ctx, p, y, *, weight=None, reduction="mean"):
        x, t = p._array, y._array
        if not np.all((x >= 0) & (x <= 1)):  # nan fails too, as in PyTorch
            raise RuntimeError("all elements of input should be between 0 and 1")
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(x), -100)
            log_1mp = np.maximum(np.log1p(-x), -100)
        loss = -(t * log_p + (1 - t) * log_1mp)
        if weight is not None:
            loss = loss * weight._array
        ctx.save_for_backward(p, y, weight)
        ctx.reduction, ctx.count = reduction, x.size
        ctx.formula = _formula(
            "d loss/dp = (p - y)/(p·(1 - p))", reduction, x.size, weight is not None
        )
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def local(ctx):
        p, y, weight = ctx.saved_like(None)
        n = _per_element(ctx.reduction, ctx.count)
        dp = ("({a} - {b})/({a}·(1 - {a}))", (p - y) / np.maximum(p * (1 - p), 1e-12))
        with np.errstate(divide="ignore"):
            dy = ("ln(1 - {a}) - ln {a}", np.log(1 - p) - np.log(p))
        if weight is not None:
            dp = (f"weight·{dp[0]}", dp[1] * weight)
            dy = (f"weight·({dy[0]})", dy[1] * weight)
        return _scaled(*dp, n), _scaled(*dy, n)

    @staticmethod
    def backward(ctx, grad):
        p, y, weight = ctx.saved_like(grad)
        g = _scale(grad, ctx.reduction, ctx.count)
        need_p, need_y = ctx.needs_input_grad[:2]
        dp = dy = None
        if need_p:
            # with create_graph, p is a tensor and the denominator must stay differentiable
            variance = p * (1 - p)
            denominator = (
                variance.clamp(min=1e-12) if isinstance(p, Tensor) else np.maximum(variance, 1e-12)
            )
            dp = g * (p - y) / denominator
        if need_y:
            dy = g * (log(1 - p) - log(p))
        if weight is not None:
            dp = dp * weight if dp is not None else None
            dy = dy * weight if dy is not None else None
        return dp, dy


class MseLoss(Function):
    """loss = mean((a - b)²)"""

    node_name = "MseLossBackward0"
    formula = "d loss/da = 2·(a - b)  (divided by n for a mean)"
    label = "MSE loss"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, *, reduction="mean"):
        diff = binary(np.subtract, a, b)  # PyTorch's promotion: float32 - int64 is float32
        ctx.save_for_backward(a, b)
        ctx.reduction, ctx.count = reduction, diff.size
        ctx.formula = _formula("d loss/da = 2·(a - b)", reduction, diff.size)
        return _reduce(diff * diff, reduction)

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        n = _per_element(ctx.reduction, ctx.count)
        return _scaled("2·({a} - {b})", 2 * (a - b), n), _scaled("-2·({a} - {b})", -2 * (a - b), n)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        need_a, need_b = ctx.needs_input_grad
        options = dict(reduction=ctx.reduction, count=ctx.count)
        # PyTorch computes the target's gradient with the same formula, a and b swapped
        return (
            sum_to(gradient_formula(MseLossBackward, grad, a, b, **options), np.shape(a))
            if need_a
            else None,
            sum_to(gradient_formula(MseLossBackward, grad, b, a, **options), np.shape(b))
            if need_b
            else None,
        )


class MseLossBackward(Function):
    """2(a - b)·g (g divided by n for a mean), one node as PyTorch records it"""

    node_name = "MseLossBackwardBackward0"
    formula = "d/dg = 2(a - b)(/n),  d/da = 2g(/n),  d/db = -2g(/n)"
    label = "MSE loss backward"
    builtin = True

    @staticmethod
    def compute(grad, a, b, *, reduction, count):
        return _scale(grad, reduction, count) * 2 * (a - b)

    @staticmethod
    def forward(ctx, grad, a, b, *, reduction, count):
        ctx.save_for_backward(grad, a, b)
        ctx.reduction, ctx.count = reduction, count
        out = MseLossBackward.compute(
            grad._array, a._array, b._array, reduction=reduction, count=count
        )
        return out.astype(a._array.dtype, copy=False)  # PyTorch's: the dtype of a, its input

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        grad, a, b = ctx.saved_like(gg)
        need_grad, need_a, need_b = ctx.needs_input_grad
        scaled = _scale(gg, ctx.reduction, ctx.count) * 2
        d_a = sum_to(scaled * grad, np.shape(a)) if need_a or need_b else None
        return (
            sum_to(scaled * (a - b), np.shape(grad)) if need_grad else None,
            d_a if need_a else None,
            sum_to(-d_a, np.shape(b)) if need_b else None,
        )


class NllLoss(Function):
    """loss = -mean over rows of logp[row, target[row]] (rows whose target is ignore_index skipped)."""

    node_name = "NllLossBackward0"
    formula = "d loss/dlogp = -1 at each row's target, 0 elsewhere  (divided by n for a mean)"
    label = "NLL loss"
    builtin = True

    @staticmethod
    def forward(ctx, logp, *, target, weight=None, ignore_index=-100, reduction="mean"):
        # target and weight are options, not inputs: PyTorch's node has one edge (to logp)
        x, t = logp._array, target._array
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        t2 = t.reshape(1) if t.ndim == 0 else t
        lowest, highest = (np.minimum.reduce(t2), np.maximum.reduce(t2)) if t2.size else (0, -1)
        if lowest >= 0 and highest < x2.shape[1] and not lowest <= ignore_index <= highest:
            keep, every_row, safe = None, True, t2  # the usual case: every target is a class
        else:
            keep = t2 != ignore_index
            every_row = bool(np.logical_and.reduce(keep))  # no row's target is ignore_index
            safe = t2 if every_row else np.where(keep, t2, 0)
            wrong = keep & ((t2 < 0) | (t2 >= x2.shape[1]))
            if wrong.any():
                raise IndexError(f"Target {t2[wrong][0]} is out of bounds.")
        # each row's target as an index into the flattened (rows x classes) array: a plain take
        # and put, 2-3x quicker than indexing with (rows, targets) on a batch
        at = np.arange(0, x2.size, x2.shape[1]) + safe if x2.shape[1] else safe
        if weight is None and every_row:  # each row counts once: its share is -1
            picked, share, total = -np.take(x2, at), x.dtype.type(-1), x.dtype.type(len(at))
        else:
            w = weight._array[safe] if weight is not None else np.ones(t2.shape, x.dtype)
            if keep is not None:
                w = w * keep
            picked = -np.take(x2, at) * w  # each row's loss
            share = -w  # each row's -1 (times its weight) in the gradient
            total = np.add.reduce(w)
            if not every_row:  # an ignored row's loss and share are 0, not -0
                picked, share = np.where(keep, picked, 0), np.where(keep, share, 0)
        pick = np.zeros(x2.shape, dtype=x.dtype)
        pick_flat = pick.reshape(-1)  # a view: writing it fills pick
        if reduction == "mean":
            with quiet_numpy():  # every row ignored: 0/0 = nan
                out = np.asarray(np.add.reduce(picked) / total, dtype=x.dtype)
            if total != 0:  # (every row ignored: no share anywhere, the gradient is 0 as PyTorch's)
                pick_flat[at] = share / total  # each row's share of the mean
        elif reduction == "sum":
            pick_flat[at] = share
            out = np.asarray(np.add.reduce(picked), dtype=x.dtype)
        elif reduction == "none":
            pick_flat[at] = share
            out = picked.astype(x.dtype) if x.ndim > 1 else picked.reshape(()).astype(x.dtype)
        else:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        ctx.save_for_backward(pick if pick.shape == x.shape else pick.reshape(x.shape), logp)
        ctx.reduction, ctx.weighted = reduction, weight is not None
        total = "the rows' total weight" if weight is not None else "the number of rows"
        ctx.formula = (
            "d loss/dlogp = -1 at each row's target, 0 elsewhere"
            + (f"; divided by n = {total}" if reduction == "mean" else "")
            + ("; times the target's weight" if weight is not None else "")
        )
        return out

    @staticmethod
    def local(ctx):
        pick, _ = ctx.saved_like(None)
        per_row = ctx.reduction == "none" and pick.ndim == 2
        what = "-1" if ctx.reduction != "mean" else "-1/n"
        return Local(
            f"{what} at each row's target, 0 elsewhere" + (" (weighted)" if ctx.weighted else ""),
            pick,
            spread=(pick.shape[0], 1) if per_row else None,
        )

    @staticmethod
    def backward(ctx, grad):
        pick, logp = ctx.saved_like(grad)
        return gradient_formula(NllLossBackward, grad, logp, pick=pick)


class NllLossBackward(Function):
    """g times the constant picking matrix (-1/n at each row's target). PyTorch keeps logp as an
    input, so this gradient is differentiable (with respect to logp its derivative is 0)."""

    node_name = "NllLossBackwardBackward0"
    formula = "d/dg = Σ gg·pick over the classes,  d/dlogp = 0"
    label = "NLL loss backward"
    builtin = True

    @staticmethod
    def compute(grad, logp, *, pick):
        if np.ndim(grad) == 1:  # reduction="none": one gradient per row
            grad = unsqueeze(grad, 1)
        elif not isinstance(grad, Tensor) and not math.isfinite(grad):
            # PyTorch writes only the targets' entries: an inf or nan gradient stays off the rest
            return np.where(pick != 0, grad * pick, pick.dtype.type(0))
        return grad * pick

    @staticmethod
    def forward(ctx, grad, logp, *, pick):
        ctx.pick, ctx.grad_shape = pick, grad._array.shape
        return NllLossBackward.compute(grad._array, logp._array, pick=pick)

    local = staticmethod(as_computed)  # a gradient's own backward

    @staticmethod
    def backward(ctx, gg):
        need_grad, need_logp = ctx.needs_input_grad
        per_row = gg * ctx.pick
        if len(ctx.grad_shape) == 1:
            d_grad = per_row.sum(1) if isinstance(per_row, Tensor) else per_row.sum(axis=1)
        else:
            d_grad = sum_to(per_row, ())
        return (d_grad if need_grad else None, zeros_like(gg) if need_logp else None)


def check_same_size(input, target, name):
    if input._array.shape != target._array.shape and name == "binary_cross_entropy":
        raise ValueError(
            f"Using a target size ({size_repr(target._array.shape)}) that is different to the "
            f"input size ({size_repr(input._array.shape)}) is deprecated. Please ensure they "
            "have the same size."
        )
    if input._array.shape != target._array.shape:
        raise ValueError(
            f"Target size ({size_repr(target._array.shape)}) must be the same as input "
            f"size ({size_repr(input._array.shape)})"
        )


def warn_size_mismatch(input, target):
    if input._array.shape != target._array.shape:
        warnings.warn(
            f"Using a target size ({size_repr(target._array.shape)}) that is different to the "
            f"input size ({size_repr(input._array.shape)}). This will likely lead to incorrect "
            "results due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
