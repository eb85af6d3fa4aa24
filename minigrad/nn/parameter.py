"""``Parameter``: a tensor that a ``Module`` registers as something to train."""

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that modules collect in ``parameters()``."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        if requires_grad and data._array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        self._init(data._array, False, None)
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
