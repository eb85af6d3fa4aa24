"""Warnings PyTorch gives once per process, checked in fresh interpreters (one per library)."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.oracle

CREATE_GRAPH = """
import warnings
warnings.simplefilter("always")
import {module} as torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    (x * x).sum().backward(create_graph=True)
    print(x.grad)
    (x * x).sum().backward(create_graph=True)  # the second time: no warning
    torch.autograd.grad((x * x).sum(), x, create_graph=True)  # grad() never warns
    print(x.grad)
for w in caught:
    print(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
"""

TO_SCALAR = """
import math
import warnings
import {module} as torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(int(x[0]), bool(x[0]), x[0].item(), f"{{x[0]:.2f}}", x.tolist())  # no warning
    with torch.no_grad():
        print(float(x[0]))  # none either
    print(float(x[1]), math.exp(x[0] * 0))  # the first warns, the second not again
for w in caught:
    print(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
"""


def _run(code):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_backward_with_create_graph_warns_once_as_pytorch_does(pt):
    theirs = _run(CREATE_GRAPH.format(module="torch"))
    mine = _run(CREATE_GRAPH.format(module="minigrad"))
    assert "reference cycle" in theirs
    assert mine == theirs


def test_float_of_a_tensor_that_requires_grad_warns_once_as_pytorch_does(pt):
    theirs = _run(TO_SCALAR.format(module="torch"))
    mine = _run(TO_SCALAR.format(module="minigrad"))
    assert "to a scalar" in theirs
    assert mine == theirs


DOF_AT_THE_USERS_LINE = """
import warnings
import {module} as torch
x = torch.ones(1, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    x.var()
    torch.var(x)
    x.std(0)
    torch.std(x, correction=1)
for w in caught:
    print(w.filename, w.lineno, str(w.message).split(" (Triggered internally")[0])
"""


def test_var_and_std_warn_at_the_users_line_as_pytorch_does(pt):
    """The degrees-of-freedom warning names the student's line, not one inside minigrad."""
    theirs = _run(DOF_AT_THE_USERS_LINE.format(module="torch"))
    mine = _run(DOF_AT_THE_USERS_LINE.format(module="minigrad"))
    assert "<string> 7 var()" in theirs
    assert mine == theirs
