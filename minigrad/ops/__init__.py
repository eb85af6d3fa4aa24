"""Every differentiable operation, one small ``Function`` subclass each.

Read any op top to bottom: its name as PyTorch prints it, the one-line derivative (``formula``),
its display ``label``, ``forward`` on numpy arrays, ``backward`` with a one-line math comment, and
``local`` (its local derivatives, which the step widgets show).

Two kinds of values reach a ``backward``, and each formula is written once for both:

- numpy arrays, in a plain ``backward()``: fast, nothing is recorded;
- tensors, under ``create_graph=True``: the formula's own operations are recorded, so the
  gradient can be differentiated again.

So a backward uses operators (``+ - * / @ **``, indexing, ``.reshape``) and the functions of
``array_or_tensor.py``, which accept both, never a numpy function directly: on tensors that
would cut the graph, and the engine stops with an error naming the op.
"""

from . import (
    activation,
    arithmetic,
    inplace,
    linalg,
    loss,
    reduction,
    selection,
    shape,  # noqa: F401
    statistics,
    unary,
)
