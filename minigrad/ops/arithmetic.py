"""+ - * / ** and negation. Each backward undoes broadcasting with ``sum_to``."""

import numpy as np

from ..autograd.chain_rule import Local, constant_text as _number
from ..autograd.function import Function
from ..tensor import Tensor, tensor
from .array_or_tensor import divide_by, log, multiply_by, sum_to, where, zeros_like
from ._util import binary, shape_of, value


class Add(Function):
    """a + b"""

    node_name = "AddBackward0"
    formula = "d(a+b)/da = 1,  d(a+b)/db = 1"
    scalars_are_inputs = True
    label = "+"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, *, alpha=1):
        ctx.shapes = shape_of(a), shape_of(b)
        ctx.alpha = alpha  # torch.add(a, b, alpha=k) is a + k·b in this one node, as in PyTorch
        return binary(np.add, a, b if alpha == 1 else _scaled(b, alpha))

    @staticmethod
    def local(ctx):
        if ctx.alpha != 1:
            return Local("1", 1), Local(_number(ctx.alpha), ctx.alpha)
        return Local("1", 1), Local("1", 1)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (
            sum_to(grad, shape_a) if need_a else None,
            sum_to(grad if ctx.alpha == 1 else multiply_by(grad, ctx.alpha), shape_b)
            if need_b
            else None,
        )


def _scaled(b, alpha):
    """alpha·b, the operand add and sub see for their alpha (b itself when alpha is 1)."""
    if alpha == 1:
        return b
    if isinstance(b, Tensor):
        return np.asarray(np.multiply(b._array, alpha))
    return b * alpha


class Sub(Function):
    """a - b"""

    node_name = "SubBackward0"
    formula = "d(a-b)/da = 1,  d(a-b)/db = -1"
    scalars_are_inputs = True
    label = "-"
    builtin = True

    @staticmethod
    def forward(ctx, a, b, *, alpha=1):
        ctx.shapes = shape_of(a), shape_of(b)
        ctx.alpha = alpha
        _refuse_bool(a, b)
        return binary(np.subtract, a, _scaled(b, alpha))

    @staticmethod
    def local(ctx):
        if ctx.alpha != 1:
            return Local("1", 1), Local(_number(-ctx.alpha), -ctx.alpha)
        return Local("1", 1), Local("-1", -1)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (
            sum_to(grad, shape_a) if need_a else None,
            sum_to(-grad if ctx.alpha == 1 else multiply_by(-grad, ctx.alpha), shape_b)
            if need_b
            else None,
        )


class Rsub(Function):
    """number - a (PyTorch records it as a reversed subtraction with one input)"""

    node_name = "RsubBackward1"
    formula = "d(c-a)/da = -1"
    label = "-"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, other):
        ctx.other = other
        _refuse_bool(a, other)
        return binary(np.subtract, other, a)

    def expression(self, operands):
        return f"({_number(self.other)} - {operands[0]})"

    @staticmethod
    def local(ctx):
        return Local("-1", -1)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Function):
    """a * b"""

    node_name = "MulBackward0"
    saved_names = ("other", "self")  # node._saved_<name>, as PyTorch names them
    formula = "d(a*b)/da = b,  d(a*b)/db = a"
    scalars_are_inputs = True
    label = "*"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(b if need_a else None, a if need_b else None)
        ctx.shapes = shape_of(a), shape_of(b)
        return binary(np.multiply, a, b)

    @staticmethod
    def local(ctx):
        b, a = ctx.saved_like(None)
        return Local("{b}", b), Local("{a}", a)

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_like(grad)
        shape_a, shape_b = ctx.shapes
        return (
            sum_to(grad * b, shape_a) if b is not None else None,
            sum_to(grad * a, shape_b) if a is not None else None,
        )


class Div(Function):
    """a / b"""

    node_name = "DivBackward0"
    saved_names = ("self", "other")  # node._saved_<name>, as PyTorch names them
    formula = "d(a/b)/da = 1/b,  d(a/b)/db = -a/b²"
    scalars_are_inputs = True
    label = "/"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b)
        ctx.shapes = shape_of(a), shape_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x/0 is inf, as in PyTorch
            return binary(np.true_divide, a, b)

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Local("1/{b}", 1 / b), Local("-{a}/{b}²", None if a is None else -a / (b * b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (
            sum_to(grad / b, shape_a) if need_a else None,
            sum_to(-grad * (a / b / b), shape_b) if need_b else None,
        )


class MulScalar(Function):
    """a · n for a number n that PyTorch holds as a C++ scalar (inside a gradient formula):
    the number is no input, so one edge"""

    node_name = "MulBackward1"
    formula = "d(a·n)/da = n"
    label = "*"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, factor):
        ctx.factor = factor
        return binary(np.multiply, a, factor)

    @staticmethod
    def local(ctx):
        return Local(_number(ctx.factor), ctx.factor)

    @staticmethod
    def backward(ctx, grad):
        return multiply_by(grad, ctx.factor)


class DivScalar(Function):
    """a / n for a number n that PyTorch holds as a C++ scalar (a mean inside a loss or a
    gradient formula): unlike ``a / 2`` in Python, the number is no input, so one edge"""

    node_name = "DivBackward1"
    formula = "d(a/n)/da = 1/n"
    label = "/"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, divisor):
        ctx.divisor = divisor
        return binary(np.true_divide, a, divisor)

    @staticmethod
    def local(ctx):
        return Local(f"1/{_number(ctx.divisor)}", 1 / ctx.divisor)

    @staticmethod
    def backward(ctx, grad):
        return divide_by(grad, ctx.divisor)


class Neg(Function):
    """-a"""

    node_name = "NegBackward0"
    formula = "d(-a)/da = -1"
    label = "neg"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        if a._array.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return np.negative(a._array)

    @staticmethod
    def local(ctx):
        return Local("-1", -1)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Reciprocal(Function):
    """1 / a"""

    node_name = "ReciprocalBackward0"
    saved_names = ("result",)  # node._saved_<name>, as PyTorch names them
    formula = "d(1/a)/da = -1/a²"
    label = "reciprocal"
    builtin = True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore"):
            out = binary(np.true_divide, 1.0, a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        return Local("-1/{a}²", -out * out)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        return -grad * out * out


class PowScalar(Function):
    """a ** c for a number c"""

    node_name = "PowBackward0"
    saved_names = ("self",)  # node._saved_<name>, as PyTorch names them
    saved_options = ("exponent",)
    formula = "d(aᶜ)/da = c·aᶜ⁻¹"
    label = "**"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 = inf, quietly
            return binary(np.power, a, exponent)

    def expression(self, operands):
        return f"({operands[0]}**{_number(self.exponent)})"

    @staticmethod
    def local(ctx):
        (a,) = ctx.saved_like(None)
        c = ctx.exponent
        if c == 0:
            return Local("0", 0)
        power = "" if c == 2 else f"^{_number(c - 1)}"
        return Local(f"{_number(c)}·{{a}}{power}", c * a ** (c - 1))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_like(grad)
        c = ctx.exponent
        if c == 0:  # PyTorch's pow_backward: zeros, a constant (also where grad is inf or nan)
            return zeros_like(grad)
        return grad * multiply_by(a ** (c - 1), c)


class Pow(Function):
    """a ** b for two tensors"""

    node_name = "PowBackward1"
    saved_names = ("self", "exponent", "result")  # node._saved_<name>, as PyTorch names them
    formula = "d(aᵇ)/da = b·aᵇ⁻¹,  d(aᵇ)/db = aᵇ·ln a"
    label = "**"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 = inf, quietly
            out = binary(_power, a, b)
        ctx.save_for_backward(a, b, out)
        ctx.shapes = shape_of(a), shape_of(b)
        return out

    @staticmethod
    def local(ctx):
        a, b, out = ctx.saved_like(None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (
                Local("{b}·{a}^({b} - 1)", b * a ** (b - 1)),
                Local("{a}^{b}·ln {a}", out * np.log(a)),
            )

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_like(grad)
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # where the formulas meet 0·∞, PyTorch's conventions: no slope in a where b = 0, and
        # none in b where a = 0 and b ≥ 0 (there aᵇ is flat in b from the right)
        shape = shape_of(grad)
        slope_a = np.broadcast_to(value(b) != 0, shape)
        slope_b = np.broadcast_to((value(a) != 0) | (value(b) < 0), shape)
        return (
            sum_to(where(slope_a, grad * b * a ** (b - 1), 0), shape_a) if need_a else None,
            sum_to(grad * where(slope_b, out * log(a), 0), shape_b) if need_b else None,
        )


class RPow(Function):
    """c ** a for a number c"""

    node_name = "PowBackward2"
    formula = "d(cᵃ)/da = cᵃ·ln c"
    label = "**"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, base):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = binary(_power, base, a)
        ctx.save_for_backward(out)
        with np.errstate(divide="ignore"):  # ln 0 = -inf, as PyTorch has it
            ctx.base, ctx.log_base = base, float(np.log(base))
        return out

    def expression(self, operands):
        return f"({_number(self.base)}**{operands[0]})"

    @staticmethod
    def local(ctx):
        (out,) = ctx.saved_like(None)
        base = _number(ctx.base)
        return Local(f"{base}^{{a}}·ln {base}", out * ctx.log_base)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_like(grad)
        if ctx.base == 0:  # 0ᵃ: PyTorch takes no slope where it is finite (a ≥ 0), not 0·(-∞)
            return where(~np.isfinite(value(out)), grad * out * ctx.log_base, 0)
        return grad * out * ctx.log_base


def _power(x, y):
    """np.power, except that integers to negative integer powers held in a tensor are what
    PyTorch makes of them (1 for 1, ±1 for -1, else 0) instead of numpy's error; a negative
    Python int exponent stays an error (PowScalar), as in PyTorch."""
    if np.result_type(x, y).kind not in "iu" or not np.any(np.asarray(y) < 0):
        return np.power(x, y)
    x, y = np.broadcast_arrays(x, y)
    out = np.power(x, np.maximum(y, 0))
    odd = np.where(y % 2 == 1, -1, 1).astype(out.dtype)
    small = np.where(x == 1, 1, np.where(x == -1, odd, 0)).astype(out.dtype)
    return np.where(y < 0, small, out)


def _refuse_bool(*operands):
    """PyTorch has no bool subtraction (numpy neither: ``~`` is what is meant)."""
    bools = [isinstance(value(x), np.ndarray) and value(x).dtype == np.bool_ for x in operands]
    if all(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if any(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


# -- the functions behind the operators -----------------------------------------------------------
def _is_number(x):
    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


def rsub(a, other):
    """other - a, with ``other`` not a tensor."""
    if _is_number(other):
        return Rsub.apply(a, other=other)
    return Sub.apply(_tensor(other), a)


def rdiv(a, other):
    """other / a, recorded like PyTorch: a reciprocal, then a product."""
    if _is_number(other):
        return Mul.apply(Reciprocal.apply(a), other)
    return Div.apply(_tensor(other), a)


def pow(a, exponent):
    if isinstance(exponent, Tensor):
        return Pow.apply(a, exponent)
    if _is_number(exponent):
        return PowScalar.apply(a, exponent=exponent)
    return Pow.apply(a, _tensor(exponent))


def rpow(a, base):
    if _is_number(base):
        return RPow.apply(a, base=base)
    return Pow.apply(_tensor(base), a)


def _tensor(x):
    return tensor(value(x))


class FloorDivide(Function):
    """a // b, rounded towards -inf. PyTorch gives it no derivative (it is flat almost
    everywhere, and undefined at its jumps): the result still requires grad, through a node
    named NotImplemented whose backward raises."""

    node_name = "NotImplemented"
    formula = "not implemented: floor_divide has no derivative"
    label = "//"
    builtin = True

    def name(self):
        return "torch::autograd::NotImplemented"  # PyTorch's C++ name (its type: NotImplemented)

    @staticmethod
    def forward(ctx, a, b):
        if all(np.asarray(value(v)).dtype == np.bool_ for v in (a, b)):
            raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
        with np.errstate(divide="ignore", invalid="ignore"):  # x // 0.0 is ±inf or nan
            out = binary(np.floor_divide, a, b)
        if out.dtype.kind in "iub" and not np.all(value(b)):
            raise RuntimeError("ZeroDivisionError")
        return out

    @staticmethod
    def local(ctx):
        return tuple(Local("not implemented", None, rule="given") for _ in ctx.next_functions)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Remainder(Function):
    """a % c for a number c: Python's remainder (the sign of the divisor), a - floor(a/c)·c"""

    node_name = "RemainderBackward0"
    formula = "d(a mod c)/da = 1"
    label = "%"
    builtin = True

    @staticmethod
    def forward(ctx, a, *, other):
        ctx.other = other
        return _remainder(a, other)

    def expression(self, operands):
        return f"({operands[0]} % {_number(self.other)})"

    @staticmethod
    def local(ctx):
        return Local("1", 1)

    @staticmethod
    def backward(ctx, grad):
        return grad


class RemainderTensor(Function):
    """a % b for two tensors"""

    node_name = "RemainderBackward1"
    formula = "d(a mod b)/da = 1,  d(a mod b)/db = -floor(a/b)"
    label = "%"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = shape_of(a), shape_of(b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        return _remainder(a, b)

    @staticmethod
    def local(ctx):
        a, b = ctx.saved_like(None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Local("1", 1), Local("-floor({a}/{b})", None if a is None else -(a // b))

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        grad_b = None
        if need_b:
            a, b = ctx.saved_like(grad)
            if isinstance(grad, Tensor):
                quotient = FloorQuotient.apply(a, b)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    quotient = np.floor_divide(a, b)
            grad_b = sum_to(-grad * quotient, shape_b)
        return sum_to(grad, shape_a) if need_a else None, grad_b


class FloorQuotient(Function):
    """floor(a / b) inside the gradient of a % b (PyTorch: div with rounding_mode='floor'):
    flat between its jumps, so its own gradient is zero."""

    node_name = "DivBackward2"
    formula = "d floor(a/b)/da = 0,  d floor(a/b)/db = 0"
    label = "⌊/⌋"
    builtin = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = shape_of(a), shape_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return binary(np.floor_divide, a, b)

    @staticmethod
    def local(ctx):
        return Local("0", 0), Local("0", 0)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        return sum_to(grad * 0, shape_a), sum_to(grad * 0, shape_b)


class RRemainder(Function):
    """number % a: PyTorch has no derivative for it (a node named NotImplemented)."""

    node_name = "NotImplemented"
    formula = "not implemented: remainder by a tensor has no derivative here"
    label = "%"
    builtin = True

    def name(self):
        return "torch::autograd::NotImplemented"  # PyTorch's C++ name (its type: NotImplemented)

    @staticmethod
    def forward(ctx, a, *, other):
        return _remainder(other, a)

    @staticmethod
    def local(ctx):
        return Local("not implemented", None, rule="given")

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::remainder is not implemented")


def _remainder(a, b):
    if all(np.asarray(value(v)).dtype == np.bool_ for v in (a, b)):
        raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
    with np.errstate(divide="ignore", invalid="ignore"):  # x % 0.0 is nan
        out = binary(_python_remainder, a, b)
    if out.dtype.kind in "iub" and not np.all(value(b)):
        raise RuntimeError("ZeroDivisionError")
    return out


def _python_remainder(x, y):
    """The remainder with the divisor's sign; a zero keeps the dividend's sign (PyTorch's fmod
    then shift, where numpy's remainder gives the divisor's sign to a zero too)."""
    if np.result_type(x, y).kind != "f":
        return np.remainder(x, y)
    mod = np.fmod(x, y)
    return np.where((mod != 0) & ((np.asarray(y) < 0) != (mod < 0)), mod + y, mod)


def remainder(a, other):
    if isinstance(other, Tensor):
        return RemainderTensor.apply(a, other)
    if _is_number(other):
        return Remainder.apply(a, other=other)
    return RemainderTensor.apply(a, _tensor(other))


def rremainder(a, other):
    """other % a, with ``other`` not a tensor."""
    if _is_number(other):
        return RRemainder.apply(a, other=other)
    return RemainderTensor.apply(_tensor(other), a)
