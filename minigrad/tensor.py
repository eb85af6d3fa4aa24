"""``Tensor``: a numpy array plus what autograd needs to know about it.

- ``_array``: the numpy array holding the values (``.numpy()`` hands it out; ``.data`` is a
  tensor sharing it, with no history, as in PyTorch);
- ``requires_grad``: whether operations on it are recorded;
- ``grad_fn``: the graph node that produced it (``None`` for leaves: tensors you created);
- ``grad``: where backward adds the gradient (leaves only, unless ``retain_grad()``);
- ``_version``: bumped by every in-place change, so backward can refuse stale saved values.

The arithmetic lives in ``minigrad/ops``; this class only routes Python operators to it.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import _dtype, _printing

if TYPE_CHECKING:  # a name for the type hints only (autograd imports this module)
    from .autograd.function import Function


class Size(tuple):
    """A shape, printed as PyTorch prints it: ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def __getitem__(self, key):  # a slice of a Size is a Size, as in PyTorch
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)


_DETACH_VIEW_MESSAGE = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
)


_REQUIRED = object()  # the default of an argument PyTorch requires


def _required(op, **arguments):
    """PyTorch's TypeError for a required argument left out (its words, not Python's)."""
    for name, value in arguments.items():
        if value is _REQUIRED:
            raise TypeError(f'{op}() missing 1 required positional arguments: "{name}"')


class Tensor:
    __slots__ = (
        "_array",
        "_requires_grad",
        "_grad_fn",
        "_grad",
        "_version_counter",
        "_acc",
        "_base",
        "_view_path",
        "_base_fn",
        "_no_grad_view",
        "__weakref__",
    )
    __array_priority__ = 1000  # numpy_array * tensor -> Tensor.__rmul__

    def __init__(self, data=(), *, dtype=None, requires_grad=False):
        t = tensor(
            data,
            dtype=dtype if dtype is not None else _dtype.get_default_dtype(),
            requires_grad=requires_grad,
        )
        self._init(t._array, t._requires_grad, None)

    def _init(self, data, requires_grad, grad_fn):
        self._array = data
        self._requires_grad = requires_grad
        self._grad_fn = grad_fn
        self._grad = None
        self._version_counter = [0]
        self._acc = None
        self._base = None

    @staticmethod
    def _make(data, requires_grad, grad_fn):
        """Fast constructor used by every op (``data`` must already be a numpy array)."""
        t = _new_tensor(Tensor)
        t._array = data
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._grad = None
        t._version_counter = [0]
        t._acc = None
        t._base = None
        return t

    # -- the values, without history -------------------------------------------------------------
    @property
    def data(self):
        """A tensor sharing this one's memory, cut from the graph. Unlike ``detach()`` it has a
        version counter of its own, so autograd does not see changes made through it (the
        manual SGD step ``w.data -= lr * w.grad`` relies on that)."""
        t = Tensor._make(self._array, False, None)
        if self._version_counter is None:
            t._version_counter = None  # .data of an inference tensor is one too
        return t

    @data.setter
    def data(self, value):
        """``t.data = other``: ``t`` now holds ``other``'s values (sharing its memory)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and value._array.dtype.kind != "f":
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating "
                "point or complex dtype"
            )
        self._array = value._array

    # -- autograd attributes ----------------------------------------------------------------------
    @property
    def grad_fn(self) -> Function | None:
        """The node that made this tensor. A view whose base was changed in place since its node
        was made gets a new one first (see ``_refresh_view``), as PyTorch regenerates it."""
        if self._base is not None and self._base._grad_fn is not self._base_fn:
            _refresh_view(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def requires_grad(self):
        if self._base is not None and self._base._grad_fn is not self._base_fn:
            _refresh_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:  # PyTorch refuses the attribute on a non-leaf either way
            _refuse_non_leaf(value)
        if value and not self.dtype.is_floating_point:
            # PyTorch's attribute setter words it differently from requires_grad_()
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            if requires_grad:
                return self  # already requires grad: nothing to change (as in PyTorch)
            _refuse_non_leaf(requires_grad)
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad and self._version_counter is None and not _grad_state.inference:
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside "
                "InferenceMode is not allowed."
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.deleter
    def grad(self):
        self._grad = None

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of "
                    f"type {type(value).__name__}"
                )
            if value._array.dtype != self._array.dtype:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{_dtype.C_TYPE_NAME[value._array.dtype.name]}' to a tensor with grad_dtype "
                    f"'{self.dtype.legacy_name.removesuffix('Tensor')}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match."
                )
            if value._array.shape != self._array.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._array.shape)}' to a "
                    f"tensor of size '{list(self._array.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size"
                )
        self._grad = value

    @property
    def _version(self):
        if self._version_counter is None:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._version_counter[0]

    def is_inference(self):
        """Made inside ``inference_mode()`` (such a tensor has no version counter)."""
        return self._version_counter is None

    def _accumulator(self):
        """The ``AccumulateGrad`` node of this leaf (one per tensor, made on first use)."""
        if self._acc is None:
            self._acc = AccumulateGrad(self)
        return self._acc

    def _gradient_node(self):
        """The node that receives this tensor's gradient: its ``grad_fn``, or for a leaf its
        ``AccumulateGrad``."""
        node = self._grad_fn if self._base is None else self.grad_fn
        return node if node is not None else self._accumulator()

    @property
    def output_nr(self):
        """Which output of its ``grad_fn`` this tensor is (0 unless a custom Function returned
        several tensors)."""
        node = self._grad_fn if self._base is None else self.grad_fn
        return 0 if node is None or node._n_outputs == 1 else node._output_nr_of(self)

    def retain_grad(self) -> None:
        """Ask backward to fill ``.grad`` of this non-leaf tensor too."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self.grad_fn
        if node is None or self.retains_grad:
            return
        if node._n_outputs == 1:
            node._retained = _weakref(self)
        else:  # one weak reference per retained output
            node._retained = dict(node._retained or {})
            node._retained[self.output_nr] = _weakref(self)

    @property
    def retains_grad(self):
        node = self.grad_fn
        if node is None or node._retained is None:
            return False
        return node._n_outputs == 1 or self.output_nr in node._retained

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]):
        """``hook(grad)`` is called with this tensor's gradient during backward; it may return a
        replacement. Returns a handle with ``.remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._gradient_node()
        if node._pre_hooks is None:
            node._pre_hooks = []
        if node._n_outputs != 1:
            hook = _OutputHook(hook, self.output_nr)
        node._pre_hooks.append(hook)
        return _Handle(node._pre_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after backward has added to this leaf's ``.grad`` (an optimizer
        step per parameter, for instance). Returns a handle with ``.remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        node = self._accumulator()
        if not node._post_accumulate_hooks:
            node._post_accumulate_hooks = []
        node._post_accumulate_hooks.append(hook)
        return _Handle(node._post_accumulate_hooks, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Compute the gradient of this tensor w.r.t. the graph leaves (see ``autograd.backward``)."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory and version counter)."""
        t = Tensor._make(self._array, False, None)
        t._version_counter = self._version_counter
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError(_DETACH_VIEW_MESSAGE)
        self.grad_fn = None
        self._requires_grad = False
        return self

    # -- shape and type ---------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._array.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_dim(dim, self._array.ndim)]

    def dim(self):
        return self._array.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._array.ndim

    def numel(self):
        return self._array.size

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy(self._array.dtype)

    @property
    def device(self):
        return "cpu"

    def is_floating_point(self):
        return self._array.dtype.kind == "f"

    def __len__(self):
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def to(self, dtype=None, *args, **kwargs):
        if isinstance(dtype, str) or dtype is None:  # .to("cpu"): nothing to do
            dtype = kwargs.get("dtype")
            if dtype is None:
                return self
        if self._array.dtype == _dtype.to_numpy(dtype):
            return self
        return _ops.shape.ToType.apply(self, dtype=_dtype.to_numpy(dtype))

    def type(self, dtype=None):
        if dtype is None:
            return "torch." + self.dtype.legacy_name
        return self.to(dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def bool(self):
        return self.to(_dtype.bool_)

    def cpu(self):
        return self

    def contiguous(self):
        return _ops.shape.contiguous(self)

    # -- leaving minigrad -------------------------------------------------------------------------
    def item(self) -> float | int | bool:
        if self._array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._array.size} elements cannot be converted to Scalar"
            )
        return self._array.reshape(()).item()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force and _grad_state.grad:  # allowed under no_grad
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._array

    def tolist(self):
        return self._array.tolist()

    def __array__(self, dtype=None, copy=None):
        return self._array if dtype is None else self._array.astype(dtype)

    def __float__(self):
        if self._requires_grad and _grad_state.grad and not _SCALAR_WARNED:
            _warn_scalar_once()
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._array.reshape(()).item()

    def __index__(self):
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._array.size != 1:
            how_many = "no values" if self._array.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {how_many} is ambiguous")
        return bool(self._array.reshape(()).item())

    def __format__(self, spec):
        if self._array.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self):
        return _printing.tensor_repr(self)

    __hash__ = object.__hash__

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._array, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support "
                "the deepcopy protocol at the moment."
            )
        t = type(self).__new__(type(self))
        t._init(self._array.copy(), self._requires_grad, None)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._array.copy(), False, None)
        memo[id(self)] = t
        return t

    # -- arithmetic (each line hands over to one op in minigrad/ops; None, strings and lists are
    # not operands: Python's TypeError names both types, as with PyTorch) ------------------------
    def __add__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Add.apply(self, other)

    def __radd__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Add.apply(self, other)

    def __sub__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Sub.apply(self, other)

    def __rsub__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.rsub(self, other)

    def __mul__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Mul.apply(self, other)

    def __rmul__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Mul.apply(self, other)

    def __truediv__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.Div.apply(self, other)

    def __rtruediv__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.rdiv(self, other)

    def __floordiv__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.FloorDivide.apply(self, other)

    def __rfloordiv__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.FloorDivide.apply(other, self)

    def __mod__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.remainder(self, other)

    def __rmod__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.rremainder(self, other)

    def __pow__(self, exponent):
        if exponent.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.pow(self, exponent)

    def __rpow__(self, base):
        if base.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.arithmetic.rpow(self, base)

    def __neg__(self):
        return _ops.arithmetic.Neg.apply(self)

    def __invert__(self):
        return _ops.unary.bitwise_not(self)

    def __and__(self, other):
        return _ops.unary.bitwise(np.bitwise_and, "bitwise_and", self, other)

    def __or__(self, other):
        return _ops.unary.bitwise(np.bitwise_or, "bitwise_or", self, other)

    def __xor__(self, other):
        return _ops.unary.bitwise(np.bitwise_xor, "bitwise_xor", self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def any(self, dim=None, keepdim=False):
        return _ops.reduction.any_or_all(np.any, self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return _ops.reduction.any_or_all(np.all, self, dim, keepdim)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.unary.Abs.apply(self)

    def __matmul__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.linalg.matmul(self, other)

    def __rmatmul__(self, other):
        if other.__class__ in _NOT_OPERANDS:
            return NotImplemented
        return _ops.linalg.matmul(_as_tensor(other), self)

    def __getitem__(self, key):
        return _ops.shape.index(self, key)

    def __setitem__(self, key, value):
        _ops.shape.index_put_(self, key, value)

    def equal(self, other) -> bool:
        """Same shape and the same values (``torch.equal``; nan is never equal)."""
        if not isinstance(other, Tensor):
            raise TypeError(
                f"equal(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
            )
        return self._array.shape == other._array.shape and bool(
            np.logical_and.reduce(self._array == other._array, axis=None)
        )

    # comparisons give boolean tensors and are never part of the graph
    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def add(self, other, *, alpha=1):
        if alpha == 1 or other.__class__ in _NOT_OPERANDS:
            return self + other
        return _ops.arithmetic.Add.apply(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        if alpha == 1 or other.__class__ in _NOT_OPERANDS:
            return self - other
        return _ops.arithmetic.Sub.apply(self, other, alpha=alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def neg(self):
        return -self

    def floor_divide(self, other):
        return self // other

    def remainder(self, other):
        return _ops.arithmetic.remainder(self, other)

    def pow(self, exponent):
        return self**exponent

    def matmul(self, other):
        return _ops.linalg.matmul(self, other)

    def mm(self, other):
        return _ops.linalg.mm(self, other)

    def dot(self, other):
        return _ops.linalg.dot(self, other)

    def bmm(self, other):
        return _ops.linalg.bmm(self, other)

    def reciprocal(self):
        return _ops.arithmetic.Reciprocal.apply(self)

    # -- elementwise functions --------------------------------------------------------------------
    def exp(self):
        return _ops.unary.Exp.apply(self)

    def log(self):
        return _ops.unary.Log.apply(self)

    def log1p(self):
        return _ops.unary.Log1p.apply(self)

    def square(self):
        return self**2

    def sqrt(self):
        return _ops.unary.Sqrt.apply(self)

    def abs(self):
        return _ops.unary.Abs.apply(self)

    def sign(self):
        return _ops.unary.Sign.apply(self)

    def sgn(self):
        return _ops.unary.Sgn.apply(self)

    def sin(self):
        return _ops.unary.Sin.apply(self)

    def cos(self):
        return _ops.unary.Cos.apply(self)

    def tanh(self):
        return _ops.activation.Tanh.apply(self)

    def sigmoid(self):
        return _ops.activation.Sigmoid.apply(self)

    def relu(self):
        return _ops.activation.Relu.apply(self)

    def clamp(self, min=None, max=None):
        return _ops.unary.clamp(self, min, max)

    clip = clamp

    def softmax(self, dim=_REQUIRED):
        _required("softmax", dim=dim)
        return _ops.activation.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim=_REQUIRED):
        _required("log_softmax", dim=dim)
        return _ops.activation.LogSoftmax.apply(self, dim=dim)

    # -- reductions -------------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _ops.reduction.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _ops.reduction.mean(self, dim, keepdim, dtype)

    def max(self, dim=None, keepdim=False):
        return _ops.reduction.max(self, dim, keepdim, method=True)

    def min(self, dim=None, keepdim=False):
        return _ops.reduction.min(self, dim, keepdim, method=True)

    def maximum(self, other):
        return _ops.reduction.maximum(self, other, method=True)

    def minimum(self, other):
        return _ops.reduction.minimum(self, other, method=True)

    def argmax(self, dim=None, keepdim=False):
        return _ops.reduction.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _ops.reduction.argmin(self, dim, keepdim)

    # -- shapes -----------------------------------------------------------------------------------
    def t(self):
        return _ops.shape.t(self)

    @property
    def T(self):
        if self._array.ndim != 2 and self._array.ndim != 1:
            warnings.warn(
                _T_0D_WARNING if self._array.ndim == 0 else _T_ND_WARNING, UserWarning, stacklevel=2
            )
        return _ops.shape.permute(self, tuple(range(self._array.ndim - 1, -1, -1)))

    @property
    def mT(self):
        if self._array.ndim < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. "
                f"Got {self._array.ndim}-D tensor."
            )
        return _ops.shape.transpose(self, -2, -1)

    def transpose(self, dim0, dim1):
        return _ops.shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _ops.shape.permute(self, _sizes(dims))

    def reshape(self, *shape):
        return _ops.shape.reshape(self, _sizes(shape))

    def view(self, *shape):
        return _ops.shape.view(self, _sizes(shape))

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return _ops.shape.squeeze(self, dim)

    def unsqueeze(self, dim=_REQUIRED):
        _required("unsqueeze", dim=dim)
        return _ops.shape.unsqueeze(self, dim)

    def expand(self, *sizes):
        return _ops.shape.expand(self, _sizes(sizes))

    def expand_as(self, other):
        return self.expand(other.shape)

    def sum_to_size(self, *size):
        """The sum that undoes broadcasting: ``size`` must broadcast to this tensor's shape."""
        size = tuple(_sizes(size))
        try:
            fits = np.broadcast_shapes(size, self._array.shape) == self._array.shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"size {{{list(size)}}} is not expandable to size {{{list(self._array.shape)}}}."
            )
        return _ops.array_or_tensor.sum_to(self, size)

    def clone(self):
        return _ops.shape.Clone.apply(self)

    # -- pieces, picks and masks (ops/selection.py) -------------------------------------------
    def unbind(self, dim=0):
        return _ops.selection.unbind(self, dim)

    def split(self, split_size, dim=0):
        return _ops.selection.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return _ops.selection.chunk(self, chunks, dim)

    def diag(self, diagonal=0):
        return _ops.shape.diag(self, diagonal)

    def select(self, dim, index):
        return _ops.shape.select(self, dim, index)

    def narrow(self, dim, start, length):
        return _ops.selection.narrow(self, dim, start, length)

    def index_select(self, dim, index):
        return _ops.selection.index_select(self, dim, index, method=True)

    def gather(self, dim, index):
        return _ops.selection.gather(self, dim, index, method=True)

    def masked_select(self, mask):
        return _ops.selection.masked_select(self, mask)

    def masked_fill(self, mask, value):
        return _ops.selection.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return _ops.selection.masked_fill_(self, mask, value)

    def repeat(self, *sizes):
        if not sizes:
            raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
        return _ops.selection.repeat(self, _sizes(sizes))

    def sort(self, dim=-1, descending=False, stable=False):
        return _ops.selection.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _ops.selection.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.selection.topk(self, k, dim, largest, sorted)

    def mv(self, vec):
        return _ops.linalg.mv(self, vec)

    # -- more reductions (ops/statistics.py) ---------------------------------------------------
    def prod(self, dim=None, keepdim=False):
        return _ops.statistics.prod(self, dim, keepdim, method=True)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.statistics.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.statistics.std(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _ops.statistics.norm(self, p, dim, keepdim, dtype)

    def logsumexp(self, dim=_REQUIRED, keepdim=False):
        _required("logsumexp", dim=dim)
        return _ops.statistics.logsumexp(self, dim, keepdim)

    def cumsum(self, dim=_REQUIRED, dtype=None):
        _required("cumsum", dim=dim)
        return _ops.statistics.cumsum(self, dim, dtype)

    def cumprod(self, dim=_REQUIRED, dtype=None):
        _required("cumprod", dim=dim)
        return _ops.statistics.cumprod(self, dim, dtype)

    def amax(self, dim=(), keepdim=False):
        return _ops.statistics.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _ops.statistics.amin(self, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return _ops.statistics.median(self, dim, keepdim)

    # -- rounding (zero gradients) -------------------------------------------------------------
    def round(self, decimals=0):
        return _ops.unary.Round.apply(self, decimals=decimals)

    def floor(self):
        return _ops.unary.Floor.apply(self)

    def ceil(self):
        return _ops.unary.Ceil.apply(self)

    def trunc(self):
        return _ops.unary.Trunc.apply(self)

    # -- in-place ops (they bump the version counter) -------------------------------------------
    def add_(self, other, *, alpha=1):
        return _ops.inplace.apply_inplace(
            self, _ops.arithmetic.Add, other if alpha == 1 else other * alpha
        )

    def sub_(self, other, *, alpha=1):
        return _ops.inplace.apply_inplace(
            self, _ops.arithmetic.Sub, other if alpha == 1 else other * alpha
        )

    def mul_(self, other):
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.Mul, other)

    def div_(self, other):
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.Div, other)

    def floor_divide_(self, other):
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.FloorDivide, other)

    def clamp_(self, min=None, max=None):
        return _ops.unary.clamp_(self, min, max)

    def zero_(self):
        return _ops.inplace.zero_(self)

    def fill_(self, value):
        return _ops.inplace.fill_(self, value)

    def copy_(self, src):
        return _ops.inplace.copy_(self, src)

    def pow_(self, exponent):
        if isinstance(exponent, Tensor):
            return _ops.inplace.apply_inplace(self, _ops.arithmetic.Pow, exponent)
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.PowScalar, exponent=exponent)

    def neg_(self):
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.Neg)

    def exp_(self):
        return _ops.inplace.apply_inplace(self, _ops.unary.Exp)

    def abs_(self):
        return _ops.inplace.apply_inplace(self, _ops.unary.Abs)

    def relu_(self):
        return _ops.inplace.apply_inplace(self, _ops.activation.Relu)

    def sigmoid_(self):
        return _ops.inplace.apply_inplace(self, _ops.activation.Sigmoid)

    def tanh_(self):
        return _ops.inplace.apply_inplace(self, _ops.activation.Tanh)

    # x += None is Python's TypeError (before any in-place check), as in PyTorch
    def __iadd__(self, other):
        return NotImplemented if other.__class__ in _NOT_OPERANDS else self.add_(other)

    def __isub__(self, other):
        return NotImplemented if other.__class__ in _NOT_OPERANDS else self.sub_(other)

    def __imul__(self, other):
        return NotImplemented if other.__class__ in _NOT_OPERANDS else self.mul_(other)

    def __itruediv__(self, other):
        return NotImplemented if other.__class__ in _NOT_OPERANDS else self.div_(other)

    def __ifloordiv__(self, other):
        return NotImplemented if other.__class__ in _NOT_OPERANDS else self.floor_divide_(other)

    def remainder_(self, other):
        if isinstance(other, Tensor):
            return _ops.inplace.apply_inplace(self, _ops.arithmetic.RemainderTensor, other)
        return _ops.inplace.apply_inplace(self, _ops.arithmetic.Remainder, other=other)

    __imod__ = remainder_


_new_tensor = object.__new__


_SCALAR_WARNED = False


def _warn_scalar_once():
    """float() of a tensor that requires grad: PyTorch warns, once per process."""
    global _SCALAR_WARNED
    _SCALAR_WARNED = True
    warnings.warn(
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first.",
        UserWarning,
        stacklevel=3,
    )


def _refuse_non_leaf(requires_grad):
    message = "you can only change requires_grad flags of leaf variables."
    if not requires_grad:
        message += (
            " If you want to use a computed variable in a subgraph that doesn't "
            "require differentiation use var_no_grad = var.detach()."
        )
    raise RuntimeError(message)


def _refresh_view(view):
    _ops.inplace.refresh_view(view)


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad, None)


def _dim(dim, ndim):
    """Normalise a possibly negative dimension, with PyTorch's error when it is out of range."""
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % ndim if ndim else 0


def _sizes(args):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f(torch.Size([2, 3]))`` alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


_NOT_OPERANDS = frozenset([type(None), str, list, tuple, dict, set])


def _compare(ufunc, a, b):
    if b.__class__ in _NOT_OPERANDS:  # Python's own answer: == is False, < is a TypeError
        return NotImplemented
    other = b._array if isinstance(b, Tensor) else b
    return Tensor._make(np.asarray(ufunc(a._array, other)), False, None)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


# -- creating tensors from Python data ------------------------------------------------------------
_T_ND_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor."
)
_T_0D_WARNING = (
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
)

_COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor)."
)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, numpy arrays)."""
    if isinstance(data, Tensor):
        warnings.warn(_COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=2)
        array = np.array(data._array, copy=True)
    elif isinstance(data, (np.ndarray, np.generic)):  # numpy arrays and scalars keep their dtype
        array = np.array(data, copy=True)
    else:
        array = _from_python(data)
        if array.dtype.kind == "f" and dtype is None:  # dtype=float64 keeps the Python floats' bits
            array = array.astype(_dtype.get_default_dtype().numpy)
    if dtype is not None:
        array = array.astype(_dtype.to_numpy(dtype))
    elif array.dtype.kind == "f" and array.dtype not in (np.float32, np.float64, np.float16):
        array = array.astype(_dtype.get_default_dtype().numpy)
    elif (
        array.dtype.kind in "iu"
        and array.dtype != np.int64
        and not isinstance(data, (np.ndarray, np.generic))
    ):
        array = array.astype(np.int64)
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _new_leaf(array, requires_grad)


def _new_leaf(array, requires_grad):
    """A tensor made from data; inside ``inference_mode()`` an inference tensor."""
    t = Tensor._make(array, bool(requires_grad), None)
    if _grad_state.inference:
        t._version_counter = None
    return t


def _from_python(data):
    if isinstance(data, numbers.Number) and not isinstance(data, (bool, np.bool_)):
        return np.asarray(data)
    try:
        array = np.asarray(data)
    except ValueError:
        _check_ragged(data, 0)
        raise
    if array.dtype == object:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
            return np.stack([np.asarray(x._array if isinstance(x, Tensor) else x) for x in data])
        _check_ragged(data, 0)
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if array.dtype.kind == "U":
        raise TypeError("new(): invalid data type 'str'")
    return array


def _check_ragged(data, depth):
    """PyTorch's message for lists of unequal length."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    if isinstance(first, (list, tuple)):
        for item in data:
            if not isinstance(item, (list, tuple)) or len(item) != len(first):
                got = len(item) if isinstance(item, (list, tuple)) else 1
                raise ValueError(
                    f"expected sequence of length {len(first)} at dim {depth + 1} (got {got})"
                )
        for item in data:
            _check_ragged(item, depth + 1)


from .autograd.function import AccumulateGrad, _Handle, _OutputHook  # noqa: E402  (after Tensor exists)
from .autograd import engine as _engine  # noqa: E402
from .autograd.grad_mode import STATE as _grad_state  # noqa: E402
from . import ops as _ops  # noqa: E402
from weakref import ref as _weakref  # noqa: E402
