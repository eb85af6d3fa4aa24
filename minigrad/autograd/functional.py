"""Whole Jacobians, Hessians and their products with vectors, built from backward passes
(PyTorch's ``torch.autograd.functional``, same signatures and return structures).

- ``vjp(f, x, v)``: ``(f(x), vᵀ·J)``, what ``f(x).backward(v)`` puts in ``x.grad``;
- ``jacobian(f, x)``: one such product per output element (``v`` = each unit vector in turn),
  so a lesson can show that ``backward(v)`` computes ``vᵀ·J`` without ever building J;
- ``jvp(f, x, v)``: ``(f(x), J·v)``, by the "double backward trick": u ↦ uᵀ·J is linear in u, so
  differentiating it with respect to u (at any u, here 0) and applying that to v gives J·v;
- ``hessian(f, x)``: the Jacobian of the gradient; ``vhp`` / ``hvp``: ``vᵀ·H`` and ``H·v`` (the
  same for a smooth f, since H is symmetric) without building H.

Inputs may be one tensor or a tuple of tensors, and results come back in the same form (one
entry per input; a Hessian for several inputs is a tuple of tuples, block [i][j] of shape
``inputs[i].shape + inputs[j].shape``). Results are detached unless ``create_graph=True``, in
which case they stay differentiable with respect to the tensors passed in. An input the
function does not use gets zeros, or with ``strict=True`` PyTorch's error.
"""

import numpy as np

from ..tensor import Tensor
from ..ops.shape import stack
from . import grad_mode
from .engine import grad as _engine_grad

# PyTorch's strict-mode messages, by what turned out to be independent of what
_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode "
    "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
    "in the grad_jacobian. This is not allowed in strict mode as it prevents "
    "from using the double backward trick to replace forward mode AD.",
}
_NO_GRAPH = {  # strict and create_graph=True, but a result that does not require grad
    False: "The jacobian of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode when create_graph=True.",
    True: "The hessian of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode when create_graph=True.",
}
_NOT_REQUIRING = {  # strict: a tensor that should depend on the inputs does not require grad
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
    "must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
    "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not "
    "allowed in strict mode. You should ensure that your function is twice "
    "differentiable and that the jacobian depends on the inputs (this would be "
    "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
    "independent of the input. This is not allowed in strict mode. You should ensure "
    "that your function is thrice differentiable and that the hessian depends on the "
    "inputs.",
}


# -- plumbing shared by every function below ------------------------------------------------------
def _as_tuple(value, what, fn):
    """``(was_a_tuple, the tensors as a tuple)``, with PyTorch's TypeError for anything else."""
    was_tuple = isinstance(value, tuple)
    items = value if was_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"value at index {i}" if was_tuple else f"given {what}"
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(item)}."
            )
    return was_tuple, items


def _unpack(result, was_tuple):
    return result if was_tuple else result[0]


def _prepare(tensors, create_graph, need_graph):
    """New tensor objects for the function to run on: still linked to the caller's tensors when
    ``create_graph`` (a view), otherwise cut from them (and requiring grad if ``need_graph``)."""
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
        for t in tensors
    )


def _finish(tensors, create_graph):
    return tensors if create_graph else tuple(t.detach() for t in tensors)


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad (``None`` for each input if none does)."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _engine_grad(
        [o for o, _ in pairs],
        inputs,
        [g for _, g in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _zeros_where_missing(grads, like, strict, create_graph, stage):
    result = []
    for i, (g, ref) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(_NO_GRAPH["double" in stage].format(i=i))
        result.append(g)
    return tuple(result)


def _check_requires_grad(tensors, kind, strict):
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(_INDEPENDENT["back"].format(i=i))
        if not t.requires_grad:
            raise RuntimeError(_NOT_REQUIRING[kind].format(i=i))


def _check_v(v, other, other_was_tuple):
    if len(v) != len(other):
        if other_was_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if other_was_tuple else ""
            raise RuntimeError(
                f"{where}v has invalid size: should be {b.shape!r} but got {a.shape!r}."
            )


def _vector(v, against, against_was_tuple, create_graph, fn, none_message):
    """The user's ``v`` as a tuple shaped like ``against`` (None only where one number is meant)."""
    if v is None:
        if len(against) != 1 or against[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, against, against_was_tuple)
    return v


def _zeros_like(t):
    return Tensor._make(np.zeros_like(t._array), False, None)


_NONE_FOR_INPUT = (
    "The vector v can only be None if the input to the user-provided function is a "
    "single Tensor with a single element."
)


def _scalar_output(out, fn, strict):
    """``func``'s result for hessian/vhp/hvp: one tensor holding one number."""
    was_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn)
    _check_requires_grad(outs, "outputs", strict)
    if was_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )
    return outs


# -- the public functions -------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ·J)`` (``v`` may be omitted when func returns one number)."""
    with grad_mode.enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _prepare(xs, create_graph, need_graph=True)
        outputs_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outs, "outputs", strict)
        v = _vector(
            v,
            outs,
            outputs_tuple,
            create_graph,
            "vjp",
            "The vector v can only be None if the user-provided function returns a "
            "single Tensor with a single element.",
        )
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        grads = _zeros_where_missing(
            _grad(outs, xs, v, create_graph), xs, strict, create_graph, "back"
        )
    return (
        _unpack(_finish(outs, create_graph), outputs_tuple),
        _unpack(_finish(grads, create_graph), inputs_tuple),
    )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J·v)`` (``v`` may be omitted when the input is one number)."""
    with grad_mode.enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
        xs = _prepare(xs, create_graph, need_graph=True)
        v = _vector(v, xs, inputs_tuple, create_graph, "jvp", _NONE_FOR_INPUT)
        outputs_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outs, "outputs", strict)
        # u ↦ uᵀ·J at u = 0 (any finite u would do: the result is linear in u)
        us = tuple(_zeros_like(o).requires_grad_(True) for o in outs)
        grad_inputs = _grad(outs, xs, us, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _zeros_where_missing(
            _grad(grad_inputs, us, v, create_graph), outs, strict, create_graph, "back_trick"
        )
    return (
        _unpack(_finish(outs, create_graph), outputs_tuple),
        _unpack(_finish(products, create_graph), outputs_tuple),
    )


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The full Jacobian: block [i][j] has shape ``outputs[i].shape + inputs[j].shape`` (one
    level of tuple dropped where func returns one tensor or takes one). ``vectorize`` and
    ``strategy`` change how PyTorch computes it, not the result: here it is always one backward
    pass per output element."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". '
            'Hint: If your function has more outputs than inputs, "forward-mode" '
            'tends to be more performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse "
            "Hessian isonly implemented for `vectorize=True`."
        )
    with grad_mode.enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _prepare(xs, create_graph, need_graph=True)
        outputs_tuple, outs = _as_tuple(
            func(*xs), "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(outs, "outputs", strict)
        blocks = tuple(
            _jacobian_rows(i, out, xs, create_graph, strict) for i, out in enumerate(outs)
        )
    blocks = tuple(_finish(row, create_graph) for row in blocks)
    result = tuple(_unpack(row, inputs_tuple) for row in blocks)
    return _unpack(result, outputs_tuple)


def _jacobian_rows(i, out, xs, create_graph, strict):
    """d out / d x for each input x: one gradient per element of ``out``, stacked."""
    flat = out.reshape(-1)
    rows = [[] for _ in xs]
    for k in range(out.numel()):
        grads = _grad((flat[k],), xs, retain_graph=True, create_graph=create_graph)
        for j, (row, g, x) in enumerate(zip(rows, grads, xs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent "
                        f"of input {j}. This is not allowed in strict mode."
                    )
                g = _zeros_like(x)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(_NO_GRAPH[False].format(i=i))
            row.append(g)
    return tuple(stack(row).view(out.shape + x.shape) for row, x in zip(rows, xs))


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The matrix of second derivatives of a function returning one number: the Jacobian of its
    gradient. For several inputs, a tuple of tuples of blocks d²f/dxᵢdxⱼ."""
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def one_number(*args):
        return _scalar_output(func(*args), "hessian", strict)[0].squeeze()

    def gradient(*args):
        if outer_jacobian_strategy == "forward-mode":
            args = tuple(a.requires_grad_(True) for a in args)
        first = jacobian(one_number, args, create_graph=True)
        _check_requires_grad(first, "jacobian", strict)
        return first

    result = jacobian(
        gradient,
        xs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return result if inputs_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ·H)``: the gradient's own vector-Jacobian product."""
    with grad_mode.enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "vhp")
        xs = _prepare(xs, create_graph, need_graph=True)
        v = _vector(v, xs, inputs_tuple, create_graph, "vhp", _NONE_FOR_INPUT)
        outs = _scalar_output(func(*xs), "vhp", strict)
        first = _grad(outs, xs, create_graph=True)
        _check_requires_grad(first, "jacobian", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _zeros_where_missing(
            _grad(first, xs, v, create_graph), xs, strict, create_graph, "double_back"
        )
    return _finish(outs, create_graph)[0], _unpack(_finish(products, create_graph), inputs_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H·v)``: the double backward trick applied to the gradient."""
    with grad_mode.enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "hvp")
        xs = _prepare(xs, create_graph, need_graph=True)
        v = _vector(v, xs, inputs_tuple, create_graph, "hvp", _NONE_FOR_INPUT)
        outs = _scalar_output(func(*xs), "hvp", strict)
        first = _grad(outs, xs, create_graph=True)
        _check_requires_grad(first, "jacobian", strict)
        us = tuple(_zeros_like(x).requires_grad_(True) for x in xs)
        second = _grad(first, xs, us, create_graph=True)
        _check_requires_grad(first, "hessian", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        products = _zeros_where_missing(
            _grad(second, us, v, create_graph), xs, strict, create_graph, "double_back_trick"
        )
    return _finish(outs, create_graph)[0], _unpack(_finish(products, create_graph), inputs_tuple)
