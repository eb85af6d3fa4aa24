"""Reductions beyond sum and mean: prod, var, std, norm, logsumexp, amax/amin, median; and the
running ones, cumsum and cumprod.

Each backward is written with operators and minigrad ops only, so it runs on numpy arrays (plain
backward) and on tensors (``create_graph=True``) alike; see ops/array_or_tensor.py.
"""

import os
import sys
import warnings

import numpy as np

from ..autograd.chain_rule import Local
from ..autograd.function import Function
from ..tensor import Tensor
from .array_or_tensor import exp, sgn, transpose, unsqueeze
from ._util import constant, floating, normalize_dim, value
from .reduction import _SCALAR_TYPE, _axes, _kept
from .shape import Where


# -- small helpers that work on arrays and on tensors ------------------------------------------------
def _keep_dims(x, shape, axes, keepdim):
    """A reduced value reshaped so that it broadcasts against the input (reduced dims as 1)."""
    if keepdim or not axes:
        return x
    kept = _kept(shape, axes)
    return x.reshape(kept) if isinstance(x, Tensor) else np.reshape(x, kept)


def _like(x, array):
    """A constant array in ``x``'s dtype: a tensor outside any graph when ``x`` is a tensor."""
    dtype = x._array.dtype if isinstance(x, Tensor) else np.result_type(x)
    array = np.asarray(array, dtype=dtype)
    return constant(array) if isinstance(x, Tensor) else array


def _where(mask, x):
    """``x`` where the constant ``mask`` holds, 0 elsewhere (an ``inf`` or ``nan`` of ``x``
    outside the mask does not leak through, unlike ``x * mask``)."""
    if isinstance(x, Tensor):
        return Where.apply(x, 0, condition=np.broadcast_to(mask, x._array.shape))
    return np.where(mask, x, 0)


def _nonzero(x, zero):
    """``x`` with its zeros (where the constant mask ``zero`` holds) turned into ones: a divisor
    whose quotient is masked out there anyway, so that neither the division nor its own
    derivative (under create_graph) divides by zero."""
    return x + _like(x, zero)


def _sum(x, axes, keepdim=True):
    if isinstance(x, Tensor):
        return x.sum(axes, keepdim) if axes else x
    return np.sum(x, axis=axes, keepdims=keepdim)


def _mean(x, axes):
    if isinstance(x, Tensor):
        return x.mean(axes, keepdim=True) if axes else x
    if x.size == 0:  # the mean of nothing: nan, without numpy's "Mean of empty slice" warning
        kept = range(x.ndim) if axes is None else [a % x.ndim for a in np.atleast_1d(axes)]
        return np.full([1 if i in kept else n for i, n in enumerate(x.shape)], np.nan, x.dtype)
    return np.mean(x, axis=axes, keepdims=True)


def _prod_last(x):
    return Prod.apply(x, dim=x._array.ndim - 1) if isinstance(x, Tensor) else np.prod(x, axis=-1)


def _cumprod_last(x):
    return (
        Cumprod.apply(x, dim=x._array.ndim - 1) if isinstance(x, Tensor) else np.cumprod(x, axis=-1)
    )


def _cumsum(x, dim):
    return Cumsum.apply(x, dim=dim) if isinstance(x, Tensor) else np.cumsum(x, axis=dim)


def _rows_without_self(x, dim):
    """For each position k along ``dim``, x with a 1 written at k: shape (..., n, n), row k last
    but one. Products over these rows give every "product of the others" exactly, zeros included
    (no division by x)."""
    moved = transpose(x, dim, -1)
    n = np.shape(moved)[-1]
    eye = np.eye(n)
    return unsqueeze(moved, -2) * _like(x, 1 - eye) + _like(x, eye)


def _float_dtype_check(name, a):
    if a._array.dtype.kind != "f":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


# -- prod -----------------------------------------------------------------------------------------
class Prod(Function):
    """the product of the entries (all, or along one dim)"""

    formula = "d(Π a)/daᵢ = the product of all the other entries"
    label = "prod"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim=None, keepdim=False):
        ctx.node_name = "ProdBackward0" if dim is None else "ProdBackward1"
        ctx.dim, ctx.keepdim, ctx.shape = dim, keepdim, a._array.shape
        x = a._array
        dtype = np.int64 if x.dtype.kind in "iub" else x.dtype
        if dim is None:
            out = np.asarray(np.prod(x, dtype=dtype))
        elif x.ndim == 0:
            out = x.astype(dtype)
        else:
            out = np.asarray(np.prod(x, axis=dim, keepdims=keepdim, dtype=dtype))
        ctx.save_for_backward(a, out)  # the result too: PyTorch's gradient is grad·result/a
        return out

    @staticmethod
    def others(ctx, a):
        """The product of all the other entries, at every position of ``a``."""
        if ctx.dim is None or np.ndim(a) == 0:
            flat = a.reshape(-1) if isinstance(a, Tensor) else np.reshape(a, -1)
            others = _prod_last(_rows_without_self(flat, 0))
            return (
                others.reshape(ctx.shape)
                if isinstance(others, Tensor)
                else np.reshape(others, ctx.shape)
            )
        return transpose(_prod_last(_rows_without_self(a, ctx.dim)), ctx.dim, -1)

    @staticmethod
    def local(ctx):
        a, _ = ctx.saved_like(None)
        axes = _axes(ctx.dim, len(ctx.shape))
        return Local(
            "the product of the other entries", ctx.others(ctx, a), spread=_kept(ctx.shape, axes)
        )

    @staticmethod
    def backward(ctx, grad):
        if not ctx.shape:  # a 0-d input is its own product: d/da = 1, nothing of a in it
            return grad
        a, out = ctx.saved_like(grad)
        if not np.any(value(a) == 0):  # PyTorch's formula without zeros: grad · result / a
            if ctx.dim is not None and not ctx.keepdim:
                grad, out = unsqueeze(grad, ctx.dim), unsqueeze(out, ctx.dim)
            return grad * (out / a)
        axes = _axes(ctx.dim, len(ctx.shape))
        return _keep_dims(grad, ctx.shape, axes, ctx.keepdim) * ctx.others(ctx, a)


def prod(a, dim=None, keepdim=False, method=False):
    if dim is not None and not isinstance(dim, (int, np.integer)):
        got = type(dim).__name__
        prefix = "" if method else "Tensor, "
        head = "" if method else "Tensor input, "
        out = "" if method else ", Tensor out = None"  # only the function takes out=
        raise TypeError(
            f"prod() received an invalid combination of arguments - got ({prefix}{got}), "
            f"but expected one of:\n * ({head}*, torch.dtype dtype = None)\n"
            f" * ({head}int dim, bool keepdim = False, *, torch.dtype dtype = None{out})\n"
        )
    if dim is not None:
        dim = normalize_dim(dim, a._array.ndim)
    return Prod.apply(a, dim=dim, keepdim=keepdim)


# -- var and std ----------------------------------------------------------------------------------
_DOF_WARNING = (
    "{}(): degrees of freedom is <= 0. Correction should be strictly less than the "
    "reduction factor (input numel divided by output numel)."
)


class Var(Function):
    """the spread of the entries: Σ(a - mean)² / (N - correction)"""

    node_name = "VarBackward0"
    formula = "d var/daᵢ = 2(aᵢ - mean) / (N - correction)"
    label = "var"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, axes, correction, keepdim, whole=False):
        x = a._array
        # PyTorch's count is input numel / output numel: 0 for an empty input (so it warns)
        count = int(np.prod([x.shape[ax] for ax in axes])) if x.size else 0
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        ctx.whole = whole or x.ndim == 0  # no dim given: PyTorch's formula differs at dof 0
        ctx.dof = max(count - correction, 0)
        if count - correction <= 0:
            _warn_at_caller(_DOF_WARNING.format(ctx.name_in_warning))
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing: nan, silently
            centered = x - np.mean(x, axis=axes, keepdims=True)
            out = np.sum(centered * centered, axis=axes, keepdims=keepdim) / x.dtype.type(ctx.dof)
        ctx.save_for_backward(a)
        return np.asarray(out, dtype=x.dtype)

    name_in_warning = "var"

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = 2 * (a - np.mean(a, axis=ctx.axes, keepdims=True)) / ctx.dof
        return Local(f"2·({{a}} - mean) / {ctx.dof:g}", value, spread=_kept(ctx.shape, ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        if ctx.whole and ctx.dof == 0:
            return grad * _infinite_slope(a)
        centered = a - _mean(a, ctx.axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = 2 / ctx.dof if ctx.dof else float("inf")  # a Python float keeps the dtype
            return _keep_dims(grad, ctx.shape, ctx.axes, ctx.keepdim) * centered * factor


class Std(Function):
    """the standard deviation: √var"""

    node_name = "StdBackward0"
    formula = "d std/daᵢ = (aᵢ - mean) / ((N - correction)·std), 0 where std = 0"
    label = "std"
    builtin = True
    name_in_warning = "std"

    @staticmethod
    def forward(ctx, a, *, axes, correction, keepdim, whole=False):
        variance = Var.forward(
            ctx, a, axes=axes, correction=correction, keepdim=keepdim, whole=whole
        )
        out = np.sqrt(variance)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def scale(ctx, grad, out):
        """grad / ((N - correction)·std), and 0 where std is 0 (PyTorch's choice)."""
        zero = _array(out) == 0
        with np.errstate(divide="ignore", invalid="ignore"):  # dof 0: inf and nan, as PyTorch's
            return _where(~zero, grad / (_nonzero(out, zero) * ctx.dof))

    @staticmethod
    def local(ctx):
        a, out = ctx.saved_like(None)
        centered = a - np.mean(a, axis=ctx.axes, keepdims=True)
        scale = _keep_dims(ctx.scale(ctx, np.ones_like(out), out), ctx.shape, ctx.axes, ctx.keepdim)
        return Local(
            f"({{a}} - mean) / ({ctx.dof:g}·std)",
            centered * scale,
            spread=_kept(ctx.shape, ctx.axes),
        )

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_like(grad)
        if ctx.whole and ctx.dof == 0:  # PyTorch: var's backward of grad / (2·std), 0 at std = 0
            zero = _array(out) == 0
            with np.errstate(divide="ignore", invalid="ignore"):
                return _where(~zero, grad / (_nonzero(out, zero) * 2)) * _infinite_slope(a)
        centered = a - _mean(a, ctx.axes)
        return _keep_dims(ctx.scale(ctx, grad, out), ctx.shape, ctx.axes, ctx.keepdim) * centered


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _warn_at_caller(message):
    """A UserWarning shown at the user's line (the first frame outside minigrad), as PyTorch's
    warnings from C++ are, however many of minigrad's calls lie in between."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _infinite_slope(a):
    """var's slope with no degrees of freedom left (PyTorch's var_backward for a whole tensor):
    2·(a - mean)/0, written as a constant: nan where a equals the mean, inf elsewhere."""
    x = _array(a)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing
        slope = np.where(x == np.mean(x), np.nan, np.inf).astype(x.dtype)
    return Tensor._make(slope, False, None) if isinstance(a, Tensor) else slope


def _array(x):
    return x._array if isinstance(x, Tensor) else np.asarray(x)


def _var_arguments(name, a, dim, unbiased, keepdim, correction):
    """PyTorch's overloads: var(dim, unbiased, keepdim), var(unbiased), var(dim, *, correction)."""
    if isinstance(dim, bool):  # a.var(False): the old unbiased flag in first place
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments: unbiased and "
            "correction cannot both be given"
        )
    _float_dtype_check("std and var", a)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return _axes(dim, a._array.ndim), correction, keepdim


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    whole = dim is None or isinstance(dim, bool)
    axes, correction, keepdim = _var_arguments("var", a, dim, unbiased, keepdim, correction)
    return Var.apply(a, axes=axes, correction=correction, keepdim=keepdim, whole=whole)


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    whole = dim is None or isinstance(dim, bool)
    axes, correction, keepdim = _var_arguments("std", a, dim, unbiased, keepdim, correction)
    return Std.apply(a, axes=axes, correction=correction, keepdim=keepdim, whole=whole)


# -- norm -----------------------------------------------------------------------------------------
class Norm(Function):
    """the vector p-norm (Σ|a|ᵖ)^(1/p); p = ∞: the largest |a|"""

    node_name = "LinalgVectorNormBackward0"
    formula = "d‖a‖₂/daᵢ = aᵢ/‖a‖ (0 where ‖a‖ = 0); other p: sign(aᵢ)|aᵢ|ᵖ⁻¹/‖a‖ᵖ⁻¹"
    label = "norm"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, p, axes, keepdim):
        x = a._array
        ctx.p, ctx.axes, ctx.keepdim, ctx.shape = p, axes, keepdim, x.shape
        size = np.abs(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == np.inf:
                out = np.max(size, axis=axes, keepdims=keepdim)
            elif p == -np.inf:
                out = np.min(size, axis=axes, keepdims=keepdim)
            elif p == 0:
                out = np.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
            elif p == 2:
                out = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
            elif p == 1:
                out = np.sum(size, axis=axes, keepdims=keepdim)
            else:
                out = np.sum(size**p, axis=axes, keepdims=keepdim) ** (1 / p)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def gradient(ctx, a, out, grad):
        """PyTorch's norm_backward, case by case (the same cases, the same zeros)."""
        p = ctx.p
        g = _keep_dims(grad, ctx.shape, ctx.axes, ctx.keepdim)
        norm = _keep_dims(out, ctx.shape, ctx.axes, ctx.keepdim)
        zero_norm = _array(norm) == 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 0:
                return a * _like(a, 0) * g
            if p == 1:
                return sgn(a) * g
            if p == 2:
                return g * _where(
                    ~zero_norm, a / norm
                )  # its second derivative is nan at 0, as PyTorch's
            if np.isinf(p):  # the gradient of max |a|: shared by the entries that tie for it
                winners = np.abs(_array(a)) == _array(norm)
                share = winners / np.sum(winners, axis=ctx.axes, keepdims=True)
                return sgn(a) * g * _like(a, share)
            if p < 1:
                scaled = sgn(a) * _where(_array(a) != 0, abs(a) ** (p - 1))
                return scaled * g * norm ** (1 - p)
            scaled = sgn(a) * abs(a) ** (p - 1) if p < 2 else a * abs(a) ** (p - 2)
            return scaled * _where(~zero_norm, g / norm ** (p - 1))

    @staticmethod
    def local(ctx):
        a, out = ctx.saved_like(None)
        value = ctx.gradient(ctx, a, out, np.ones(np.shape(out), dtype=a.dtype))
        return Local(f"d‖{{a}}‖_{ctx.p:g}/d{{a}}", value, spread=_kept(ctx.shape, ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_like(grad)
        return ctx.gradient(ctx, a, out, grad)


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError(
                "minigrad has no nuclear norm (p='nuc'); use p='fro' or a number"
            )
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:  # 'fro' is a matrix norm then
            raise RuntimeError(
                "linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(str(d) for d in dim)
            )
        p = 2
    if a._array.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as "
            f"input. Got {_SCALAR_TYPE.get(a.dtype.name, a.dtype.name)}"
        )
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    axes = _axes(dim, a._array.ndim)
    if a._array.size == 0 and np.isinf(float(p)):
        order = "inf" if float(p) > 0 else "-inf"
        if dim is None:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {order} norm on an empty "
                "tensor because the operation does not have an identity"
            )
        empty = next((ax for ax in axes if a._array.shape[ax] == 0), None)
        if empty is not None:  # PyTorch's message, its missing space included
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {order} norm on the "
                f"dimension {empty}because this dimension is empty and the "
                "operation does not have an identity"
            )
    out = Norm.apply(a, p=float(p), axes=axes, keepdim=keepdim)
    return out if dtype is None else out.to(dtype)


# -- logsumexp ------------------------------------------------------------------------------------
class Logsumexp(Function):
    """log Σ eᵃ, computed without overflow (the largest entry taken out first)"""

    node_name = "LogsumexpBackward0"
    formula = "d logsumexp(a)/daᵢ = e^(aᵢ - logsumexp(a)) (the softmax)"
    label = "logsumexp"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, axes, keepdim):
        x = floating(a)
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        if x.size == 0:
            with np.errstate(divide="ignore"):  # log 0 = -inf, without numpy's warning
                out = np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))
        else:
            top = np.max(x, axis=axes, keepdims=True)
            top = np.where(np.isinf(top), 0, top)  # all -inf (or an inf): nothing to take out
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                out = np.log(np.sum(np.exp(x - top), axis=axes, keepdims=True)) + top
            if not keepdim:
                out = np.squeeze(out, axis=axes)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def local(ctx):
        a, out = ctx.saved_like(None)
        return Local(
            "e^({a} - logsumexp)",
            np.exp(a - _keep_dims(out, ctx.shape, ctx.axes, ctx.keepdim)),
            spread=_kept(ctx.shape, ctx.axes),
        )

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_like(grad)
        g = _keep_dims(grad, ctx.shape, ctx.axes, ctx.keepdim)
        with np.errstate(invalid="ignore"):  # inf - inf: a nan gradient, as PyTorch's, no warning
            return g * exp(a - _keep_dims(out, ctx.shape, ctx.axes, ctx.keepdim))


def logsumexp(a, dim, keepdim=False):
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    return Logsumexp.apply(a, axes=_axes(tuple(dim), a._array.ndim), keepdim=keepdim)


# -- running sums and products --------------------------------------------------------------------
class Cumsum(Function):
    """running sum along ``dim``: outᵢ = a₀ + … + aᵢ"""

    node_name = "CumsumBackward0"
    formula = "d outᵢ/daₖ = 1 for i ≥ k: each aₖ gets the sum of the gradients from k on"
    label = "cumsum"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        x = a._array
        ctx.dim = dim
        dtype = np.int64 if x.dtype.kind in "iub" else x.dtype
        return x.astype(dtype) if x.ndim == 0 else np.cumsum(x, axis=dim, dtype=dtype)

    @staticmethod
    def local(ctx):
        return Local("1 for every later position (gradients summed from the end)", rule="route")

    @staticmethod
    def backward(ctx, grad):
        if np.ndim(grad) == 0:
            return grad
        # the sum of the gradients from k to the end: total - (running sum up to k) + own
        return _sum(grad, (ctx.dim,)) - _cumsum(grad, ctx.dim) + grad


class Cumprod(Function):
    """running product along ``dim``: outᵢ = a₀ · … · aᵢ"""

    node_name = "CumprodBackward0"
    formula = "d outᵢ/daₖ = Π_{j ≤ i, j ≠ k} aⱼ for i ≥ k (exact with zeros)"
    label = "cumprod"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, dim):
        x = a._array
        ctx.dim = dim
        dtype = np.int64 if x.dtype.kind in "iub" else x.dtype
        out = x.astype(dtype) if x.ndim == 0 else np.cumprod(x, axis=dim, dtype=dtype)
        ctx.save_for_backward(a, out)  # the result too: PyTorch's gradient uses it
        return out

    @staticmethod
    def jacobian(a, dim):
        """J[..., k, i] = d outᵢ / d aₖ along ``dim`` (moved last): zero for i < k."""
        n = np.shape(a)[dim]
        upper = np.triu(np.ones((n, n)))  # i ≥ k
        return _cumprod_last(_rows_without_self(a, dim)) * _like(a, upper)

    @staticmethod
    def local(ctx):
        a, _ = ctx.saved_like(None)
        if np.ndim(a) == 0:
            return Local("1", 1)
        return Local(
            f"Π of the other entries up to i, along dim {ctx.dim}",
            np.swapaxes(ctx.jacobian(np.moveaxis(a, ctx.dim, -1), -1), -1, -2),
            rule="gJ",
            axis=ctx.dim,
        )

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_like(grad)
        shape = np.shape(value(a))
        if np.prod(shape) <= 1 or shape[ctx.dim] == 1:  # each entry its own running product
            return grad
        if not np.any(value(a) == 0):  # PyTorch's formula without zeros: Σ_{i ≥ k} gᵢ·outᵢ / aₖ
            return _reversed_cumsum(grad * out, ctx.dim) / a
        moved = unsqueeze(transpose(grad, ctx.dim, -1), -2)  # (..., 1, n) over i
        summed = ctx.jacobian(a, ctx.dim) * moved
        summed = summed.sum(-1) if isinstance(summed, Tensor) else np.sum(summed, axis=-1)
        return transpose(summed, ctx.dim, -1)


def _reversed_cumsum(x, dim):
    """Sums from the end along ``dim`` (PyTorch: x.flip(dim).cumsum(dim).flip(dim))."""
    if not isinstance(x, Tensor):
        return np.flip(np.cumsum(np.flip(x, dim), axis=dim), dim)
    backwards = Tensor._make(np.arange(np.shape(x)[dim] - 1, -1, -1), False, None)
    return x.index_select(dim, backwards).cumsum(dim).index_select(dim, backwards)


def cumsum(a, dim, dtype=None):
    out = Cumsum.apply(a, dim=normalize_dim(dim, a._array.ndim))
    return out if dtype is None else out.to(dtype)


def cumprod(a, dim, dtype=None):
    out = Cumprod.apply(a, dim=normalize_dim(dim, a._array.ndim))
    return out if dtype is None else out.to(dtype)


# -- amax, amin, median ---------------------------------------------------------------------------
class Amax(Function):
    """the largest entry (along dims); ties share the gradient equally"""

    node_name = "AmaxBackward0"
    formula = "d amax/daᵢ = 1/k at the k entries that tie for the maximum, 0 elsewhere"
    label = "amax"
    builtin = True
    pick = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a, *, axes, keepdim):
        x = a._array
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        out = np.asarray(ctx.pick(x, axis=axes, keepdims=keepdim))
        winners = x == _keep_dims(out, x.shape, axes, keepdim)
        with np.errstate(invalid="ignore"):  # a nan maximum has no winner: 0/0, nan as PyTorch
            share = winners / np.sum(winners, axis=axes, keepdims=True)
        ctx.save_for_backward(share.astype(x.dtype))
        return out

    @staticmethod
    def local(ctx):
        (share,) = ctx.saved_like(None)
        return Local(
            "1/k at the k tied winners, 0 elsewhere", share, spread=_kept(ctx.shape, ctx.axes)
        )

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_like(grad)
        return _keep_dims(grad, ctx.shape, ctx.axes, ctx.keepdim) * share


class Amin(Amax):
    """the smallest entry (along dims); ties share the gradient equally"""

    node_name = "AminBackward0"
    formula = "d amin/daᵢ = 1/k at the k entries that tie for the minimum, 0 elsewhere"
    label = "amin"
    pick = staticmethod(np.min)


def _extreme(op, name, a, dim, keepdim):
    dims = () if dim is None else (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    ndim = a._array.ndim
    normalized = [normalize_dim(d, ndim) for d in dims]
    for d in normalized:
        if normalized.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    axes = tuple(sorted(normalized)) if dims else tuple(range(ndim))
    if ndim == 0:
        axes = ()
    if a._array.size == 0:
        if not dims:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() "
                "== 0. Specify the reduction dim with the 'dim' argument."
            )
        for given, ax in zip(dims, normalized):  # PyTorch names the dim as it was given
            if a._array.shape[ax] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {given} to have non-zero size.")
    return op.apply(a, axes=axes, keepdim=keepdim)


def amax(a, dim=(), keepdim=False):
    return _extreme(Amax, "amax", a, dim, keepdim)


def amin(a, dim=(), keepdim=False):
    return _extreme(Amin, "amin", a, dim, keepdim)


class Median(Function):
    """the lower median of all the entries; entries equal to it share the gradient"""

    node_name = "MedianBackward0"
    formula = "d median/daᵢ = 1/k at the k entries equal to the median, 0 elsewhere"
    label = "median"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        flat = a._array.reshape(-1)
        if flat.size == 0:
            out = np.asarray(np.nan, dtype=a._array.dtype)
            chosen = np.zeros(a._array.shape, dtype=bool)
        elif flat.dtype.kind == "f" and np.isnan(flat).any():
            out = np.asarray(np.nan, dtype=flat.dtype)
            chosen = np.isnan(a._array)
        else:
            out = np.asarray(np.sort(flat, kind="stable")[(flat.size - 1) // 2])
            chosen = a._array == out
        share = chosen / max(int(chosen.sum()), 1)
        ctx.save_for_backward(share.astype(a._array.dtype))
        return out

    @staticmethod
    def local(ctx):
        (share,) = ctx.saved_like(None)
        return Local(
            "1/k at the k entries equal to the median, 0 elsewhere", share, spread=(1,) * share.ndim
        )

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_like(grad)
        return grad * share


def median(a, dim=None, keepdim=False):
    if dim is None:
        return Median.apply(a)
    from .selection import median_dim

    return median_dim(a, dim, keepdim)
