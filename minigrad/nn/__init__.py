"""Neural-network building blocks: ``Module``, ``Parameter``, layers, and ``functional``."""

from . import functional, init, utils  # noqa: F401
from .parameter import Parameter  # noqa: F401
from .modules import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Linear,  # noqa: F401
    Module,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
