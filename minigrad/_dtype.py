"""Data types: thin names over numpy dtypes that print the way PyTorch prints them.

Lessons are run with ``import minigrad as torch``, so a dtype prints as ``torch.float32``:
what the student sees is exactly what PyTorch would show for the same code.
"""

import numpy as np


class dtype:
    __slots__ = ("name", "numpy", "is_floating_point", "legacy_name")

    def __init__(self, name, numpy_dtype, is_floating_point, legacy_name):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = is_floating_point
        self.legacy_name = legacy_name  # used by PyTorch's in-place error message

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # dtypes are singletons, also after pickling
        return (_from_name, (self.name,))


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
float16 = dtype("float16", np.float16, True, "HalfTensor")
int64 = dtype("int64", np.int64, False, "LongTensor")
int32 = dtype("int32", np.int32, False, "IntTensor")
int16 = dtype("int16", np.int16, False, "ShortTensor")
int8 = dtype("int8", np.int8, False, "CharTensor")
uint8 = dtype("uint8", np.uint8, False, "ByteTensor")
bool_ = dtype("bool", np.bool_, False, "BoolTensor")

# the C++ type names PyTorch uses in some messages ("expected m1 and m2 to have the same dtype")
C_TYPE_NAME = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}

ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)
_BY_NUMPY = {d.numpy: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _from_name(name):
    return _BY_NAME[name]


def from_numpy(np_dtype):
    """The minigrad dtype of a numpy dtype."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"minigrad has no dtype for numpy {np.dtype(np_dtype)}") from None


def to_numpy(d):
    """Accept a minigrad dtype, a numpy dtype or a Python type; return a numpy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is float:
        return np.dtype(np.float64)
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d
