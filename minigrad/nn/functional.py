"""``minigrad.nn.functional``: activations and losses with PyTorch's signatures."""
from ..ops import _dual, activation as _act
from ..ops import linalg as _linalg
from ..ops import loss as _loss
from ..tensor import tensor as _tensor, Tensor as _Tensor


def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    return _act.Relu.apply(input)


def sigmoid(input):
    return _act.Sigmoid.apply(input)


def tanh(input):
    return _act.Tanh.apply(input)


def logsigmoid(input):
    return _act.LogSigmoid.apply(input)


def softmax(input, dim=None):
    return _act.Softmax.apply(input, dim=_default_dim(input, dim))


def log_softmax(input, dim=None):
    return _act.LogSoftmax.apply(input, dim=_default_dim(input, dim))


def _default_dim(input, dim):
    if dim is None:  # PyTorch's legacy choice, without its deprecation warning
        return 0 if input.dim() in (0, 1, 3) else 1
    return dim


def linear(input, weight, bias=None):
    return _linalg.linear(input, weight, bias)


def _as(t, like):
    return t if isinstance(t, _Tensor) else _tensor(t, dtype=like.dtype)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    _loss.check_same_size(input, target, "binary_cross_entropy_with_logits")
    weight = _as(weight, input) if weight is not None else None
    pos_weight = _as(pos_weight, input) if pos_weight is not None else None
    return _loss.BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                                    reduction=reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    _loss.check_same_size(input, target, "binary_cross_entropy")
    weight = _as(weight, input) if weight is not None else None
    return _loss.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    _loss.warn_size_mismatch(input, target)
    return _loss.MseLoss.apply(input, target, reduction=reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    return _loss.NllLoss.apply(input, target=target, weight=weight, ignore_index=ignore_index,
                               reduction=reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over classes, then nll_loss: two nodes, as PyTorch records it.

    ``target`` holds class indices, or (float, same shape as input) class probabilities."""
    class_dim = 0 if input.dim() == 1 else 1
    logp = _act.LogSoftmax.apply(input, dim=class_dim)
    if target.is_floating_point():  # the nodes PyTorch records: ... Sum, Neg (then Div for a mean)
        if reduction == "none":
            return -(logp * target).sum(class_dim)
        total = -(logp * target).sum()
        if reduction == "sum":
            return total
        return _dual.divide_by(total, input.numel() // input.shape[class_dim])  # DivBackward1
    return nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
