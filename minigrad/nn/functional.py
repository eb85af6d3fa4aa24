"""``minigrad.nn.functional``: activations and losses with PyTorch's signatures."""

import numpy as _np

from .. import creation as _creation
from ..ops import array_or_tensor, activation as _act
from ..ops import linalg as _linalg
from ..ops import loss as _loss
from ..tensor import tensor as _tensor, Tensor as _Tensor


def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    return _act.Relu.apply(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so the expected
    value is unchanged; outside training (or with p = 0) the input itself comes back. The mask
    comes from minigrad's generator (``manual_seed``); the result is input * mask/(1-p), one
    ``MulBackward0`` node, as PyTorch records it."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if not input.is_floating_point():
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{input.dtype.legacy_name.replace('Tensor', '')}"
        )
    dtype = input._array.dtype
    if p == 1:
        noise = _np.zeros((), dtype)
    else:
        keep = _creation.default_generator().random(input._array.shape) < 1 - p
        noise = keep.astype(dtype) / dtype.type(1 - p)
    noise = _Tensor._make(noise, False, None)
    if inplace:
        return input.mul_(noise)
    return input * noise


def sigmoid(input):
    return _act.Sigmoid.apply(input)


def tanh(input):
    return _act.Tanh.apply(input)


def logsigmoid(input):
    return _act.LogSigmoid.apply(input)


def softmax(input, dim=None):
    return _act.Softmax.apply(input, dim=_default_dim(input, dim, "softmax"))


def log_softmax(input, dim=None):
    return _act.LogSoftmax.apply(input, dim=_default_dim(input, dim, "log_softmax"))


def _default_dim(input, dim, name):
    if dim is None:  # PyTorch's legacy choice, with its deprecation warning
        import warnings

        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=3,
        )
        return 0 if input.dim() in (0, 1, 3) else 1
    return dim


def linear(input, weight, bias=None):
    return _linalg.linear(input, weight, bias)


def _reduction(size_average, reduce, reduction):
    """The legacy size_average / reduce flags win over ``reduction``, with PyTorch's warning."""
    if size_average is None and reduce is None:
        return reduction
    from .modules import _legacy_reduction

    return _legacy_reduction(size_average, reduce)


def _as(t, like):
    return t if isinstance(t, _Tensor) else _tensor(t, dtype=like.dtype)


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    reduction = _reduction(size_average, reduce, reduction)
    _loss.check_same_size(input, target, "binary_cross_entropy_with_logits")
    if target._array.dtype.kind in "iu":  # PyTorch writes the loss into a target-typed buffer
        raise RuntimeError(
            "result type Float can't be cast to the desired output type "
            f"{target.dtype.legacy_name.removesuffix('Tensor')}"
        )
    weight = _as(weight, input) if weight is not None else None
    pos_weight = _as(pos_weight, input) if pos_weight is not None else None
    return _loss.BinaryCrossEntropyWithLogits.apply(
        input, target, weight=weight, pos_weight=pos_weight, reduction=reduction
    )


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    _loss.check_same_size(input, target, "binary_cross_entropy")
    if target.dtype is not input.dtype:
        raise RuntimeError(
            f"Found dtype {target.dtype.legacy_name.removesuffix('Tensor')} but expected "
            f"{input.dtype.legacy_name.removesuffix('Tensor')}"
        )
    weight = _as(weight, input) if weight is not None else None
    return _loss.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _loss.warn_size_mismatch(input, target)
    if input.shape != target.shape:  # PyTorch broadcasts both first: ExpandBackward0 nodes
        try:
            shape = _np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            shape = None  # MseLoss raises PyTorch's broadcasting error
        if shape is not None:
            input = input if input.shape == shape else input.expand(shape)
            target = target if target.shape == shape else target.expand(shape)
    return _loss.MseLoss.apply(input, target, reduction=reduction)


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    shape, target_shape = input._array.shape, target._array.shape  # PyTorch's checks, in order
    if len(shape) == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if len(shape) == 1 and len(target_shape) == 1 and target_shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target_shape[0]}"
        )
    if len(shape) >= 2 and (len(target_shape) == 0 or target_shape[0] != shape[0]):
        got = target_shape[0] if target_shape else 0
        raise ValueError(
            f"Expected input batch_size ({shape[0]}) to match target batch_size ({got})."
        )
    if len(shape) > 2:
        raise NotImplementedError(
            "nll_loss / cross_entropy with class indices take (N, C) or (C,) inputs in minigrad "
            f"(PyTorch's (N, C, d1, ...) case is left out); got {list(shape)}"
        )
    if len(target_shape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target._array.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{target.dtype.legacy_name.removesuffix('Tensor')}"
        )
    if weight is not None:
        n_classes = input.shape[0 if input.dim() == 1 else 1]
        if weight.numel() != n_classes:
            raise RuntimeError(
                f"weight tensor should be defined either for all {n_classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight.shape)}"
            )
        if weight.dtype is not input.dtype:
            raise RuntimeError(
                f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}"
            )
    return _loss.NllLoss.apply(
        input, target=target, weight=weight, ignore_index=ignore_index, reduction=reduction
    )


def _scalar_name(t):  # PyTorch's C++ name of a dtype: Float, Double
    return t.dtype.legacy_name.removesuffix("Tensor")


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """log_softmax over classes, then nll_loss: two nodes, as PyTorch records it.

    ``target`` holds class indices, or (float, same shape as input) class probabilities.
    ``label_smoothing`` = ε mixes in the uniform distribution over the C classes: for class
    indices, PyTorch's (1 - ε)·nll + ε/C·(the loss against every class), one AddBackward0 on top;
    for probabilities, the target becomes target·(1 - ε) + ε/C."""
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:  # PyTorch checks only when it smooths (a negative ε: no smoothing)
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {_format_float(label_smoothing)}"
        )
    probabilities = target._array.shape == input._array.shape  # else class indices
    if probabilities and not target.is_floating_point():
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target.dtype.legacy_name.removesuffix('Tensor')}"
        )
    ndim = input._array.ndim
    if ndim == 0:  # PyTorch's class dim is 1 for anything but a vector
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if ndim == 1 else 1
    n_classes = input._array.shape[class_dim]
    logp = _act.LogSoftmax.apply(input, dim=class_dim)
    if probabilities:
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        # the nodes PyTorch records: ... Sum, Neg (then Div for a mean)
        if reduction == "none":
            return -(logp * target).sum(class_dim)
        total = -(logp * target).sum()
        if reduction == "sum":
            return total
        return array_or_tensor.divide_by(total, input.numel() // n_classes)  # DivBackward1
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return nll
    smooth = _smooth_loss(logp, target, weight, ignore_index, reduction, class_dim)
    # products with C++ scalars in PyTorch's formula: MulBackward1
    return array_or_tensor.multiply_by(nll, 1 - label_smoothing) + array_or_tensor.multiply_by(
        smooth, label_smoothing / n_classes
    )


def _smooth_loss(logp, target, weight, ignore_index, reduction, class_dim):
    """The loss against every class at once (-Σ_c w_c·logp_c per row), rows whose target is
    ignore_index left out, reduced as nll_loss reduces (a weighted mean over the kept rows)."""
    if weight is not None:
        shape = [1] * logp.dim()
        shape[class_dim] = -1
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "none":
        return smooth
    if reduction == "sum":
        return smooth.sum()
    kept = target[~ignored] if target.dim() else target.reshape(1)[~ignored.reshape(1)]
    if weight is not None:
        return smooth.sum() / weight[kept].sum()
    return smooth.sum() / kept.numel()


def _format_float(x):
    return repr(float(x)).rstrip("0").rstrip(".") if float(x).is_integer() else repr(float(x))
