"""``nn.utils``: clip the gradients of parameters in place before an optimizer step."""

import types
import warnings

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


def _vector_norm(x, p):
    """The p-norm of all of ``x``'s values: (Σ|x|^p)^(1/p); max |x| for inf, min for -inf,
    the count of non-zeros for 0."""
    x = np.abs(x)
    if p == np.inf:
        return x.max(initial=0)
    if p == -np.inf:
        return x.min()
    if p == 0:
        return np.asarray(np.count_nonzero(x), dtype=x.dtype)
    return np.sum(x**p) ** (1 / p)


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale every ``.grad`` by max_norm / (total norm + 1e-6) when that is below 1; the total
    norm treats all gradients as one long vector. Returns the total norm (before clipping)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if generator and not parameters:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.",
                UserWarning,
                stacklevel=3,
            )
    grads = [p._grad for p in parameters if p._grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._make(np.array(0.0, np.float32), False, None)
    norms = np.stack([_vector_norm(g._array, norm_type) for g in grads])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    scale = min(float(max_norm) / (total + 1e-6), 1.0)
    for g in grads:
        with np.errstate(invalid="ignore"):  # a non-finite norm makes NaNs, quietly as in PyTorch
            g._array *= g._array.dtype.type(scale)
        g._version_counter[0] += 1
    return Tensor._make(np.asarray(total), False, None)


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every ``.grad`` into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p._grad is not None:
            p._grad.clamp_(min=-clip_value, max=clip_value)
