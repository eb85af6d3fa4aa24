"""In-place ops (``add_``, ``mul_``, ``x[i] = v``, ...): change a tensor's memory and bump its version.

When the graph is recorded, an in-place op is the out-of-place op followed by a copy back into the
tensor, and the tensor's ``grad_fn`` moves to the new node (PyTorch calls this rebasing history).
Any node that saved the old values notices the version change and refuses to backward.
"""
import numpy as np

from ..autograd import grad_mode
from ..autograd.function import _versions
from ..tensor import Tensor
from ._dual import sum_to
from ._util import value

_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


_INFERENCE_MESSAGE = ("Inplace update to inference tensor outside InferenceMode is not allowed."
                      "You can make a clone to get a normal tensor before doing inplace update."
                      "See https://github.com/pytorch/rfcs/pull/17 for more details.")


def _check_target(t, tracking):
    if t._version_counter is None and not grad_mode.STATE.inference:
        raise RuntimeError(_INFERENCE_MESSAGE)
    if tracking and t._requires_grad and t.grad_fn is None:
        raise RuntimeError(_LEAF_MESSAGE)
    if tracking and t._base is not None and t._base._requires_grad:
        raise RuntimeError("minigrad cannot record an in-place change to a view of a tensor that "
                           "requires grad; write it out of place instead (y = y + 1).")


def _write(t, new_values):
    if new_values.shape != t._array.shape:
        raise RuntimeError(f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
                           f"{list(new_values.shape)}")
    if not t._array.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    t._array[...] = new_values
    _bump_version(t)


def _bump_version(t):
    if t._version_counter is not None:  # inference tensors have none
        t._version_counter[0] += 1


def apply_inplace(t, op, *args, **options):
    """Run ``op`` on ``t`` and ``args`` and store the result in ``t``."""
    tracking = grad_mode.STATE.enabled and (
        t._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args))
    _check_target(t, tracking)
    if not tracking:
        with grad_mode.no_grad():
            result = op.apply(t, *args, **options)
        _write(t, result._array)
        return t
    before = Tensor._make(t._array, t._requires_grad, t.grad_fn)  # the old t, same memory and version
    before._version_counter = t._version_counter
    result = op.apply(before, *args, **options)
    node = result.grad_fn
    _write(t, result._array)
    if node._saved and any(s is result for s in node._saved):
        node._saved = tuple(t if s is result else s for s in node._saved)
        node._saved_versions = _versions(node._saved)
    t.grad_fn, t._requires_grad = node, True
    return t


def fill_(t, fill_value):
    tracking = grad_mode.STATE.enabled and t._requires_grad
    _check_target(t, tracking)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    t._array[...] = fill_value
    _bump_version(t)
    if tracking:  # the values no longer depend on anything
        t.grad_fn, t._requires_grad = None, False
    return t


def copy_(t, src):
    if isinstance(src, Tensor) and grad_mode.STATE.enabled and src._requires_grad:
        return apply_inplace(t, _CopyFrom, src)
    tracking = grad_mode.STATE.enabled and t._requires_grad
    _check_target(t, tracking)
    _write(t, np.broadcast_to(np.asarray(value(src), dtype=t._array.dtype), t._array.shape))
    return t


from ..autograd.chain_rule import Local  # noqa: E402
from ..autograd.function import Function  # noqa: E402


class _CopyFrom(Function):
    """t.copy_(src) with src in the graph: the result is src's values, t's old values are gone."""
    node_name = "CopyBackwards"
    formula = "d/dsrc = gradient (summed to src's shape);  d/dt = 0"
    label = "copy_"
    builtin = True

    @staticmethod
    def local(ctx):
        return Local("0 (its old values are gone)", 0), Local("1", 1)

    @staticmethod
    def forward(ctx, t, src):
        ctx.src_shape = src._array.shape
        return np.broadcast_to(src._array, t._array.shape).astype(t._array.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, sum_to(grad, ctx.src_shape)
