"""Elementwise functions of one tensor: exp, log, log1p, sqrt, abs, sign, sin, cos, clamp."""

import numpy as np

from .._dtype import C_TYPE_NAME, get_default_dtype
from ..tensor import Tensor
from ..autograd.chain_rule import Local
from ..autograd.function import Function
from ._util import floating
from .array_or_tensor import cos, sgn, sign_array, sin, where, zeros_like


class Exp(Function):
    """eᵃ"""

    node_name = "ExpBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d(eᵃ)/da = eᵃ"
    label = "exp"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):  # e¹⁰⁰⁰ is inf, quietly, as in PyTorch
            out = np.exp(floating(a))
        ctx.save_for_backward(out)  # the output itself: eᵃ is its own derivative
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        return Local("e^{a}", out)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return grad * out


class Log(Function):
    """ln a"""

    node_name = "LogBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    formula = "d(ln a)/da = 1/a"
    label = "log"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(
            divide="ignore", invalid="ignore"
        ):  # log(0) = -inf, log(-1) = nan, quietly
            return np.log(floating(a))

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        with np.errstate(divide="ignore"):
            return Local("1/{a}", 1 / a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return grad / a


class Log1p(Function):
    """ln(1 + a), accurate for small a"""

    node_name = "Log1PBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    formula = "d ln(1+a)/da = 1/(1+a)"
    label = "log1p"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(floating(a))

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        with np.errstate(divide="ignore"):
            return Local("1/(1 + {a})", 1 / (1 + a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return grad / (1 + a)


class Sqrt(Function):
    """√a"""

    node_name = "SqrtBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d(√a)/da = 1/(2√a)"
    label = "sqrt"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        with np.errstate(divide="ignore"):
            return Local("1/(2·√{a})", 1 / (2 * out))

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return grad / (2 * out)


class Abs(Function):
    """|a|"""

    node_name = "AbsBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    formula = "d|a|/da = sign(a)"
    label = "abs"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a._array)

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        return Local("sign({a})", sign_array(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return grad * sgn(a)  # on tensors a node (SgnBackward0) whose derivative is 0


class Sign(Function):
    """sign(a): -1, 0 or 1; flat everywhere, so its gradient is 0"""

    node_name = "SignBackward0"
    formula = "d sign(a)/da = 0"
    label = "sign"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        if a._array.dtype == np.bool_:  # True and False are their own signs
            return a._array.copy()
        return sign_array(a._array)

    @staticmethod
    def local(ctx):
        return Local("0 (flat everywhere)", 0)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class Sgn(Sign):
    """sgn(a): the sign, under the name PyTorch gives it for complex numbers too"""

    node_name = "SgnBackward0"
    formula = "d sgn(a)/da = 0"
    label = "sgn"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)  # PyTorch's formula keeps a: a second backward raises
        return Sign.forward(ctx, a)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_like(grad)
        return zeros_like(grad)


class Sin(Function):
    """sin a"""

    node_name = "SinBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    formula = "d(sin a)/da = cos a"
    label = "sin"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(floating(a))

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        return Local("cos {a}", np.cos(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return grad * cos(a)


class Cos(Function):
    """cos a"""

    node_name = "CosBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    formula = "d(cos a)/da = -sin a"
    label = "cos"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(floating(a))

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        return Local("-sin {a}", -np.sin(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        return -grad * sin(a)


class Clamp(Function):
    """a limited to [min, max]"""

    node_name = "ClampBackward1"
    formula = "d clamp(a)/da = 1 inside [min, max], 0 outside"
    label = "clamp"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, min=None, max=None):
        inside = np.ones(a._array.shape, dtype=bool)
        if min is not None:
            inside &= a._array >= min
        if max is not None:
            inside &= a._array <= max
        ctx.save_for_backward(inside)
        return np.clip(a._array.astype(_clamp_dtype(a, min, max), copy=False), min, max)

    @staticmethod
    def local(ctx):
        (inside,) = ctx.saved_like(None)
        return Local("1 where {a} is inside the limits, else 0", inside.astype(np.float64))

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_like(grad)
        return where(inside, grad, 0)


def _clamp_dtype(a, min, max):
    """An integer tensor clamped to a float bound gives floats (PyTorch's type promotion)."""
    if a._array.dtype.kind in "iub" and any(isinstance(b, float) for b in (min, max)):
        return get_default_dtype().numpy
    return a._array.dtype


def clamp(a, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(a, min=min, max=max)


def clamp_(a, min=None, max=None):
    from .inplace import apply_inplace

    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if _clamp_dtype(a, min, max) != a._array.dtype:
        raise RuntimeError(
            f"result type {get_default_dtype().legacy_name.removesuffix('Tensor')} can't be cast "
            f"to the desired output type {C_TYPE_NAME[a._array.dtype.name]}"
        )
    return apply_inplace(a, Clamp, min=min, max=max)


# -- the rounding family: steps, flat between the jumps, so the gradient is 0 (as in PyTorch) -----
class _Step(Function):
    """A staircase function: flat everywhere it is differentiable, so its gradient is zero."""

    formula = "d/da = 0 (flat between the jumps)"
    label = "step"  # each rounding op has its own
    builtin = True

    @staticmethod
    def local(ctx):
        return Local("0 (flat between the jumps)", 0)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class Round(_Step):
    """a rounded to the nearest integer (halves to even), or to ``decimals`` decimals"""

    label = "round"

    @staticmethod
    def forward(ctx, a, *, decimals=0):
        if a._array.dtype.kind != "f":
            # PyTorch 2.13: integers round to themselves, bool has no kernel, and with
            # decimals no integer type has one
            if decimals != 0:
                raise NotImplementedError(f"\"round_cpu\" not implemented for '{_type_name(a)}'")
            if a._array.dtype == np.bool_:
                raise NotImplementedError(
                    f"\"round_vml_cpu\" not implemented for '{_type_name(a)}'"
                )
            ctx.node_name = "RoundBackward0"
            return a._array.copy()
        ctx.node_name = "RoundBackward0" if decimals == 0 else "RoundBackward1"
        if decimals == 0:
            return np.round(a._array)
        # PyTorch's recipe: scale by 10^|decimals|, round, scale back
        scale = a._array.dtype.type(10.0 ** abs(decimals))
        if decimals < 0:
            return np.round(a._array / scale) * scale
        return np.round(a._array * scale) / scale


class Floor(_Step):
    """the largest integer ≤ a"""

    node_name = "FloorBackward0"
    label = "floor"

    @staticmethod
    def forward(ctx, a):
        return _integral(a, "floor") if a._array.dtype.kind != "f" else np.floor(a._array)


class Ceil(_Step):
    """the smallest integer ≥ a"""

    node_name = "CeilBackward0"
    label = "ceil"

    @staticmethod
    def forward(ctx, a):
        return _integral(a, "ceil") if a._array.dtype.kind != "f" else np.ceil(a._array)


class Trunc(_Step):
    """a with its fractional part dropped (rounded towards zero)"""

    node_name = "TruncBackward0"
    label = "trunc"

    @staticmethod
    def forward(ctx, a):
        return _integral(a, "trunc") if a._array.dtype.kind != "f" else np.trunc(a._array)


def _integral(a, name):
    """floor / ceil / trunc of integers: the integers themselves; bool has no kernel in PyTorch."""
    if a._array.dtype == np.bool_:
        raise NotImplementedError(f"\"{name}_vml_cpu\" not implemented for 'Bool'")
    return a._array.copy()


def _type_name(a):
    return {
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }.get(a._array.dtype.name, a._array.dtype.name)


def bitwise_not(a):
    """~a: logical not of a bool tensor, bitwise not of an integer one (never in the graph)."""
    if a._array.dtype.kind == "f":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return Tensor._make(np.invert(a._array), False, None)


def bitwise(ufunc, name, a, b):
    """a & b, a | b, a ^ b on bool and integer tensors (never in the graph)."""
    from ._util import binary

    for v in (a, b):
        kind = v._array.dtype.kind if isinstance(v, Tensor) else "f" if isinstance(v, float) else ""
        if kind == "f":
            dtype = v.dtype if isinstance(v, Tensor) else get_default_dtype()
            scalar = dtype.legacy_name.removesuffix("Tensor")
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{scalar}'")
    return Tensor._make(binary(ufunc, a, b), False, None)
