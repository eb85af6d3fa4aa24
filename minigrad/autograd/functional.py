"""Whole Jacobians and vector-Jacobian products of a function, built from backward passes.

``vjp(f, x, v)`` is what ``f(x).backward(v)`` puts in ``x.grad``; ``jacobian(f, x)`` stacks one
such product per output element (v = each unit vector in turn), so a lesson can show that
``backward(v)`` computes ``vᵀ·J`` without ever building J.
"""
import numpy as np

from ..tensor import Tensor
from ..ops.shape import stack
from .engine import grad


def _fresh_inputs(inputs):
    single = isinstance(inputs, Tensor)
    items = (inputs,) if single else tuple(inputs)
    return single, tuple(x.detach().requires_grad_(True) for x in items)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(inputs), vᵀ·J)`` (``v`` may be omitted for a scalar output)."""
    single, xs = _fresh_inputs(inputs)
    out = func(*xs)
    if v is None and out._array.size != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function returns a "
                           "single Tensor with a single element.")
    grads = grad(out, xs, v, retain_graph=create_graph, create_graph=create_graph, allow_unused=True)
    grads = tuple(g if g is not None else _zeros(x) for g, x in zip(grads, xs))
    return out.detach(), grads[0] if single else grads


def jacobian(func, inputs, create_graph=False, strict=False):
    """The full Jacobian: shape ``out.shape + input.shape`` (one block per input if several)."""
    single, xs = _fresh_inputs(inputs)
    out = func(*xs)
    rows = [[] for _ in xs]
    for k in range(out._array.size):
        unit = np.zeros(out._array.size, dtype=out._array.dtype)
        unit[k] = 1
        v = Tensor._make(unit.reshape(out._array.shape), False, None)
        grads = grad(out, xs, v, retain_graph=True, create_graph=create_graph, allow_unused=True)
        for row, g, x in zip(rows, grads, xs):
            row.append(g if g is not None else _zeros(x))
    blocks = tuple(stack(row).reshape(out._array.shape + x._array.shape) for row, x in zip(rows, xs))
    return blocks[0] if single else blocks


def _zeros(x):
    return Tensor._make(np.zeros_like(x._array), False, None)
