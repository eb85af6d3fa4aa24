"""``gradcheck`` / ``gradgradcheck``: does a backward agree with finite differences of its forward?

The check PyTorch calls its slow mode, one Jacobian at a time: for every output ``i`` and every
input ``j`` that requires grad, the *numerical* Jacobian (central differences of the forward,
each input entry nudged by ``eps`` in place and restored exactly) is compared with the
*analytical* one (one vector-Jacobian product per output entry, through the real backward) by
``allclose(analytical, numerical, rtol, atol)``. Inputs and outputs are counted as PyTorch counts
them: ``input 1`` is the second input *that requires grad*. A pass returns True; a failure raises
``GradcheckError`` (a ``RuntimeError``) with PyTorch's message, or returns False when
``raise_exception=False``. Use float64 inputs: in float32 the differences drown in rounding.
"""

import warnings

import numpy as np

from . import engine
from ..tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` and ``gradgradcheck`` when a gradient is wrong."""


GradcheckError.__module__ = "torch.autograd.gradcheck"  # tracebacks name it as PyTorch's


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable(values):
    return [v for v in values if isinstance(v, Tensor) and v.requires_grad]


def _check_inputs(inputs):
    some = False
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype.name != "float64":
                warnings.warn(
                    f"Input #{i} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs are "
                    "not of double precision floating point or complex. ",
                    stacklevel=3,
                )
            array = t._array
            if any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape)):
                raise RuntimeError(
                    f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs "
                    "that are non-overlapping to be able to compute the numerical gradients "
                    "correctly. You should call .contiguous on the input before passing it to "
                    "gradcheck."
                )
            some = True
    if not some:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True."
        )


def _numerical(func, inputs, outputs, eps):
    """``jac[i][j]``: d output i / d (differentiable) input j, shape (input numel, output numel)."""
    tensors = [o for o in outputs if isinstance(o, Tensor)]
    jac = [[] for _ in tensors]
    for t in _differentiable(inputs):
        array = t._array
        columns = [np.zeros((t.numel(), o.numel())) for o in tensors]
        for k in range(t.numel()):
            index = np.unravel_index(k, array.shape) if array.ndim else ()
            original = array[index].copy()
            try:
                array[index] = original - eps
                below = [
                    np.array(o._array, dtype=np.float64) for o in _tensor_outputs(func(*inputs))
                ]
                array[index] = original + eps
                above = [
                    np.array(o._array, dtype=np.float64) for o in _tensor_outputs(func(*inputs))
                ]
            finally:
                array[index] = original  # restored bit for bit, even when func raised
            for c, lo, hi in zip(columns, below, above):
                c[k] = ((hi - lo) / (2 * eps)).reshape(-1)
        for i, c in enumerate(columns):
            jac[i].append(c)
    return jac


def _tensor_outputs(out):
    return [o for o in _as_tuple(out) if isinstance(o, Tensor)]


def _analytical(output, diff_inputs, nondet_tol):
    """d output / d each input through the backward, one unit vector of the output at a time."""

    def rows():
        jac = [np.zeros((t.numel(), output.numel())) for t in diff_inputs]
        for m in range(output.numel()):
            seed = np.zeros(output.numel(), dtype=output._array.dtype)
            seed[m] = 1
            seed = Tensor._make(seed.reshape(output.shape), False, None)
            grads = engine.grad(output, diff_inputs, seed, retain_graph=True, allow_unused=True)
            for j, (g, t) in enumerate(zip(grads, diff_inputs)):
                if g is None:
                    continue
                if tuple(g.shape) != tuple(t.shape):
                    raise GradcheckError("Analytical gradient has incorrect size")
                jac[j][:, m] = np.asarray(g._array, dtype=np.float64).reshape(-1)
        return jac

    first, second = rows(), rows()
    if not all(np.all(np.abs(a - b) <= nondet_tol) for a, b in zip(first, second)):
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with same input and "
            "grad_output multiple times gives different values, although analytical "
            f"gradient matches numerical gradient.The tolerance for nondeterminism "
            f"was {nondet_tol}."
        )
    return first


def _as_printed(jacobian, dtype):
    from ..tensor import tensor

    return tensor(jacobian, dtype=dtype)


def _mismatch_message(analytical, numerical, i, j, dtype):
    return (
        f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
        f"numerical:{_as_printed(numerical, dtype)}\nanalytical:{_as_printed(analytical, dtype)}\n"
    )


def _first_mismatch(func, inputs, eps, atol, rtol, nondet_tol=0.0):
    """``None`` when every Jacobian agrees, else ``(output, input, message)`` (inputs counted among
    those that require grad). The one walk both ``gradcheck`` and the exercises use."""
    out = func(*inputs)
    outputs = _as_tuple(out)
    diff_outputs = _differentiable(outputs)
    numerical = _numerical(func, inputs, outputs, eps)
    if not diff_outputs:
        if any(np.any(n != 0) for per_output in numerical for n in per_output):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return None
    tensors = [o for o in outputs if isinstance(o, Tensor)]
    numerical = [n for o, n in zip(tensors, numerical) if o.requires_grad]
    diff_inputs = _differentiable(inputs)
    for i, o in enumerate(diff_outputs):
        analytical = _analytical(o, diff_inputs, nondet_tol)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                dtype = diff_inputs[j].dtype
                return i, j, _mismatch_message(a, n, i, j, dtype)
    _check_multiplied_by_grad_output(diff_outputs, diff_inputs)
    return None


def _check_multiplied_by_grad_output(outputs, inputs):
    """A zero grad_output must give zero gradients (a backward that ignores it does not)."""
    zeros = [Tensor._make(np.zeros_like(o._array), False, None) for o in outputs]
    grads = engine.grad(outputs, inputs, zeros, allow_unused=True)
    for g, t in zip(grads, inputs):
        if g is None:
            continue
        if np.any(g._array != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != t.dtype:
            raise GradcheckError("grad is incorrect type")
        if tuple(g.shape) != tuple(t.shape):
            raise GradcheckError("grad is incorrect size")


def _unsupported(**flags):
    for name, value in flags.items():
        if value:
            raise NotImplementedError(
                f"gradcheck: {name}=True is not supported by minigrad "
                "(it has no forward-mode AD and no vmap)"
            )


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_batched_forward_grad=False,
    check_forward_ad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
):
    """Check ``func``'s backward against central finite differences of its forward.

    ``fast_mode`` is accepted and runs the full check (the same verdict, more slowly);
    ``check_undefined_grad`` and ``masked`` are accepted and have nothing to check here.
    """
    _unsupported(
        check_batched_grad=check_batched_grad,
        check_forward_ad=check_forward_ad,
        check_batched_forward_grad=check_batched_forward_grad,
    )
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    try:
        found = _first_mismatch(func, inputs, eps, atol, rtol, nondet_tol)
        if found is not None:
            raise GradcheckError(found[2])
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
):
    """Check gradients of gradients: ``gradcheck`` of the map (inputs, v) -> vᵀJ, computed with
    ``create_graph=True``. Without ``grad_outputs``, ``v`` is drawn uniformly from [-1, 1) with the
    global generator (so ``manual_seed`` makes it repeatable)."""
    from .. import creation

    _unsupported(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _differentiable(_as_tuple(func(*inputs)))
        grad_outputs = tuple(
            (
                creation.rand(*o.shape, dtype=o.dtype if o.is_floating_point() else None) * 2 - 1
            ).requires_grad_()
            for o in outs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n = len(grad_outputs)
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_gradients(*args):
        ins, vs = args[:-n] if n else args, args[-n:] if n else ()
        outs = _differentiable(_as_tuple(func(*ins)))
        grads = engine.grad(
            outs, [ins[i] for i in wanted], list(vs), create_graph=True, allow_unused=True
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_gradients,
        inputs + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        fast_mode=fast_mode,
        masked=masked,
    )
