"""Automatic differentiation: graph nodes (``Function``), the engine, and grad modes.

- ``Function``: subclass it to define an op with its own backward (``.apply`` to call it);
- ``backward(tensors, grad_tensors)`` / ``grad(outputs, inputs)``: run the backward pass;
- ``backward_steps(root)``: the same pass, one ``BackwardStep`` per node, for watching it;
- ``record_forward()``: collect the nodes the forward pass creates, in order;
- ``gradcheck`` / ``gradgradcheck``: a backward against finite differences of its forward;
- ``functional``: whole Jacobians and Hessians, and their products with vectors;
- ``detect_anomaly()`` / ``set_detect_anomaly(True)``: name the forward line behind a failing backward.
"""

from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,  # noqa: F401
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .function import AccumulateGrad, ForwardStep, Function, record_forward  # noqa: F401
from .engine import BackwardStep, backward, backward_steps, grad  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: F401
from . import functional  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401  (the module stays importable, as in PyTorch)
