"""In-place ops (``add_``, ``mul_``, ``exp_``, ``x[i] = v``, ...): change a tensor's memory and bump
its version.

When the graph is recorded, an in-place op is the out-of-place op followed by a copy back into the
tensor, and the tensor's ``grad_fn`` moves to the new node (PyTorch calls this rebasing history);
``retain_grad()`` moves with it. A saved input that is the tensor itself is saved as a copy of its
old values (PyTorch's ``original_self``), a saved output is the tensor. Any other node that saved
the old values notices the version change and refuses to backward.

Through a view, the change is recorded on the view's base: the base's new node is ``CopySlices``,
which runs the op's own backward on the view's part of the gradient and passes the rest of the
gradient through to the base's old history. Every view of that base then gets its history anew
(``AsStridedBackward0``) the next time it is used, as in PyTorch.
"""

import re
import weakref

import numpy as np

from .._dtype import from_numpy
from ..autograd import grad_mode
from ..autograd.function import _SavedOutput, _versions
from ..tensor import Tensor
from .array_or_tensor import sum_to
from ._util import value

_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
_LEAF_VIEW_MESSAGE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_NO_GRAD_VIEW_ADVICE = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
)
_NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with "
    "grad mode enabled." + _NO_GRAD_VIEW_ADVICE
)
_NO_GRAD_VIEW_BASE_MESSAGE = (
    "A view was created in no_grad mode and its base or another view of "
    "its base has been modified inplace with grad mode enabled." + _NO_GRAD_VIEW_ADVICE
)
_INFERENCE_MESSAGE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed."
    "You can make a clone to get a normal tensor before doing inplace update."
    "See https://github.com/pytorch/rfcs/pull/17 for more details."
)


def _check_target(t, tracking):
    """PyTorch's refusals, checked before anything is written."""
    if t._version_counter is None and not grad_mode.STATE.inference:
        raise RuntimeError(_INFERENCE_MESSAGE)
    if not tracking:
        return
    base = t._base
    if base is not None and t._no_grad_view:
        raise RuntimeError(_NO_GRAD_VIEW_MESSAGE)
    if base is not None and any(getattr(node, "piece", None) for node, _ in t._view_path):
        raise RuntimeError(_piece_message(t._view_path[-1][0]))
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(_LEAF_VIEW_MESSAGE)
    if t._requires_grad and t._grad_fn is None and base is None:
        raise RuntimeError(_LEAF_MESSAGE)


def _piece_message(last):
    """unbind, split and chunk return several views of one tensor: PyTorch refuses to change
    them (or views of them) in place, naming the op that made the view."""
    k, name = getattr(last, "piece", None) or (0, re.sub(r"Backward\d*$", "", last.name()))
    return (
        f"Output {k} of {name} is a view and is being modified inplace. This view is the "
        "output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."
    )


def _check_writable(t, new_values):
    _check_castable(new_values.dtype, t._array.dtype)
    if new_values.shape != t._array.shape:
        raise RuntimeError(
            f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
            f"{list(new_values.shape)}"
        )
    if not t._array.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before "
            "performing the operation."
        )


def _check_castable(result, target):
    """PyTorch writes a result into a tensor of another dtype only within a kind: never a float
    into an integer tensor, nor anything but bool into a bool tensor."""
    if (result.kind == "f" and target.kind in "iub") or (result.kind != "b" and target.kind == "b"):
        raise RuntimeError(
            f"result type {_scalar_type(result)} can't be cast to the desired output type "
            f"{_scalar_type(target)}"
        )


def _scalar_type(np_dtype):
    return from_numpy(np_dtype).legacy_name.removesuffix("Tensor")  # FloatTensor: Float


def _write(t, new_values):
    _check_writable(t, new_values)
    t._array[...] = new_values
    _bump_version(t)


def _bump_version(t):
    if t._version_counter is not None:  # inference tensors have none
        t._version_counter[0] += 1


def _is_tracked(t, args):
    """Would PyTorch record this change? (A view counts as requiring grad when its base does.)"""
    return grad_mode.STATE.enabled and (
        t.requires_grad
        or t._base is not None
        and t._base._requires_grad
        or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )


def apply_inplace(t, op, *args, **options):
    """Run ``op`` on ``t`` and ``args`` and store the result in ``t``."""
    tracking = _is_tracked(t, args)
    _check_target(t, tracking)
    if not tracking:
        with grad_mode.no_grad():
            result = op.apply(t, *args, **options)
        _write(t, result._array)
        return t
    if t._base is not None:
        return _through_view(t, op, args, options)
    node = _run_recorded(_old_self(t), t, op, args, options)
    _rebase(t, node)
    return t


def _old_self(t):
    """``t`` before the change: the same memory, version counter and history."""
    before = Tensor._make(t._array, t.requires_grad, t.grad_fn)
    before._version_counter = t._version_counter
    return before


def _run_recorded(before, target, op, args, options):
    """Run ``op`` out of place on ``before`` (recorded), write the result into ``target``, and
    keep the node's saved values true: ``before`` saved becomes a copy of the old values, the
    result saved becomes ``target``. Returns the op's node."""
    result = op.apply(before, *args, **options)
    node = result.grad_fn
    _check_writable(target, result._array)
    saved = node._saved
    if saved and any(s is before for s in saved):
        old = Tensor._make(before._array.copy(), before._requires_grad, before._grad_fn)
        saved = tuple([old if s is before else s for s in saved])
    target._array[...] = result._array
    _bump_version(target)
    node._output = weakref.ref(target)  # what the node made is the changed tensor now
    if saved:
        # the node's output is the changed tensor now: keep that tensor itself (with the history
        # it gets from here on), not the packed out-of-place result (see _SavedOutput)
        node._saved = tuple([target if s.__class__ is _SavedOutput else s for s in saved])
        node._saved_versions = _versions(node._saved)
    return node


def _rebase(t, node):
    """``t``'s history is now ``node``; a ``retain_grad()`` moves along (as in PyTorch)."""
    old = t._grad_fn
    if (
        old is not None
        and old._retained is not None
        and old._n_outputs == 1
        and old._retained() is t
    ):
        old._retained = None
        node._retained = weakref.ref(t)
    t._grad_fn, t._requires_grad = node, True
    node._output = weakref.ref(t)


# -- through a view: the base records CopySlices ---------------------------------------------------
def _through_view(view, op, args, options):
    base = view._base
    old_base = _old_self(base)
    stand_in = Tensor._make(view._array, True, view.grad_fn)  # the view's old values, op's input 0
    stand_in._version_counter = view._version_counter
    inner = _run_recorded(stand_in, view, op, args, options)
    node = CopySlices._make_node(old_base, inner, view._view_path, base._array.shape)
    _rebase(base, node)
    refresh_view(view)
    return view


def refresh_view(view):
    """Give a view whose base changed history its own history anew: one node from the base's
    current ``grad_fn`` (PyTorch names it ``AsStridedBackward0``); ``retain_grad()`` moves along."""
    base = view._base
    if view._no_grad_view:
        raise RuntimeError(_NO_GRAD_VIEW_BASE_MESSAGE)
    old = view._grad_fn
    view._base_fn = base._grad_fn
    if not base._requires_grad:
        view._grad_fn, view._requires_grad = None, False
        return
    node = AsStrided._make_node(base, view._view_path, view._array.shape)
    if (
        old is not None
        and old._retained is not None
        and old._n_outputs == 1
        and old._retained() is view
    ):
        old._retained = None
        node._retained = weakref.ref(view)
    view._grad_fn, view._requires_grad = node, True
    node._output = weakref.ref(view)


class _ViewPath:
    """How a view was cut from its base: the view ops in order (each node with its options).
    ``take`` cuts the same view out of anything base-shaped (an array: a numpy view; a tensor:
    the ops recorded), ``put_back`` is the view's backward: view-shaped in, base-shaped out,
    zeros elsewhere."""

    def __init__(self, steps):
        self.steps = steps

    def take(self, x):
        for node, options in self.steps:
            if isinstance(x, Tensor):
                x = type(node)._op.apply(x, **options)
            else:  # a scratch node: the recorded one keeps its own attributes
                x = node.forward(
                    object.__new__(type(node)), Tensor._make(x, False, None), **options
                )
        return x

    def put_back(self, g):
        for node, _ in reversed(self.steps):
            g = node.backward(node, g)
        return g

    def outside(self, shape):
        """1 where the base is not part of the view, 0 where it is."""
        mask = np.ones(shape)
        self.take(mask)[...] = 0
        return mask


from ..autograd.chain_rule import Local  # noqa: E402
from ..autograd.function import Function  # noqa: E402


class CopySlices(Function):
    """An in-place op through a view, recorded on the base: the view's part of the gradient goes
    through the op's own backward (``inner``), the rest of it passes through to the base's old
    history unchanged."""

    node_name = "CopySlices"
    formula = "d/dbase: gradient outside the view, the op's own gradient inside it"
    label = "[ ]="
    builtin = True

    def name(self):
        return "torch::autograd::CopySlices"  # PyTorch's C++ name (its type is CopySlices)

    @classmethod
    def _make_node(cls, old_base, inner, path, shape):
        node = object.__new__(cls._node_class)
        node._link_inputs((old_base,))
        node.next_functions = node.next_functions + inner.next_functions[1:]
        node.needs_input_grad = node.needs_input_grad + inner.needs_input_grad[1:]
        node.inner, node.path, node._output_shape = inner, _ViewPath(path), shape
        node._saved = inner._saved
        return node

    def _release(self):
        self.inner._release()
        super()._release()

    @staticmethod
    def local(ctx):
        return tuple(
            Local("the op's own derivative inside the view, 1 outside it", rule="given")
            for _ in ctx.next_functions
        )

    @staticmethod
    def backward(ctx, grad):
        inner = ctx.inner
        grads = inner.backward(inner, ctx.path.take(grad))
        grads = grads if grads.__class__ is tuple else (grads,)
        if inner._positions is not None:
            grads = tuple([grads[i] for i in inner._positions])
        own = grads[0]
        if not isinstance(grad, Tensor):  # arrays: write the op's gradient over the view's part
            g_base = np.array(grad, copy=True)
            ctx.path.take(g_base)[...] = 0 if own is None else own
        else:
            g_base = grad * Tensor._make(
                ctx.path.outside(grad.shape).astype(grad._array.dtype), False, None
            )
            if own is not None:
                g_base = g_base + ctx.path.put_back(own)
        return (g_base,) + tuple(grads[1:])


class AsStrided(Function):
    """A view's history after its base changed in place: the view cut from the base again."""

    node_name = "AsStridedBackward0"
    formula = "gradient placed back where the view lies in its base, 0 elsewhere"
    label = "view"
    builtin = True

    @classmethod
    def _make_node(cls, base, path, shape):
        node = object.__new__(cls._node_class)
        node._link_inputs((base,))
        node.path, node._output_shape = _ViewPath(path), shape
        return node

    @staticmethod
    def local(ctx):
        return Local("1 where the view lies in its base, 0 elsewhere", rule="route")

    @staticmethod
    def backward(ctx, grad):
        return ctx.path.put_back(grad)


# -- ops that only exist in place -------------------------------------------------------------------
class _CopyFrom(Function):
    """t.copy_(src): the result is src's values, t's old values are gone."""

    node_name = "CopyBackwards"
    formula = "d/dsrc = gradient (summed to src's shape);  d/dt = 0"
    label = "copy_"
    builtin = True

    def name(self):
        return "torch::autograd::CopyBackwards"  # PyTorch's C++ name (its type is CopyBackwards)

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


class Fill(Function):
    """t.fill_(number) / t.zero_(): every value replaced, so nothing flows back (a zero gradient)."""

    node_name = "FillBackward2"
    formula = "d/dt = 0 (every value replaced)"
    label = "fill_"
    builtin = True

    @staticmethod
    def local(ctx):
        return Local("0 (every value replaced)", 0)

    @staticmethod
    def forward(ctx, t, *, fill_value=0):
        return np.full_like(t._array, fill_value)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Zero(Fill):
    """t.zero_(): PyTorch's own node for filling with zeros."""

    node_name = "ZeroBackward0"
    label = "zero_"


class FillTensor(Function):
    """t.fill_(v) for a 0-dim tensor v: every value of t is v, so v gets the summed gradient."""

    node_name = "FillBackward3"
    formula = "d/dt = 0;  d/dv = sum of the gradient"
    label = "fill_"
    builtin = True

    @staticmethod
    def local(ctx):
        return Local("0 (every value replaced)", 0), Local("1 (for every position)", 1)

    @staticmethod
    def forward(ctx, t, v):
        return np.full_like(t._array, v._array)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, sum_to(grad, ())


def zero_(t):
    return apply_inplace(t, Zero)


def fill_(t, fill_value):
    if isinstance(fill_value, Tensor):
        if fill_value._array.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{fill_value._array.ndim} dimensions."
            )
        if fill_value.requires_grad:
            return apply_inplace(t, FillTensor, fill_value)
        fill_value = fill_value.item()
    return apply_inplace(t, Fill, fill_value=fill_value)


def copy_(t, src):
    if not isinstance(src, Tensor):
        raise TypeError(
            f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}"
        )
    if _is_tracked(t, (src,)):
        return apply_inplace(t, _CopyFrom, src)
    _check_target(t, False)
    _write(t, np.broadcast_to(np.asarray(value(src), dtype=t._array.dtype), t._array.shape))
    return t
