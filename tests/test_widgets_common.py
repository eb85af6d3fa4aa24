"""The widgets' shared pieces: value texts, names, and what importing costs."""

import subprocess
import sys

import numpy as np

import minigrad
from minigrad.autograd.graph import nodes as graph_nodes
from minigrad.widgets._common import Namer, block, compact, number, tensors_in


def test_one_number_format_for_pictures_and_panels():
    assert number(0.30831) == "0.3083"
    assert number(4.0) == "4.0" and number(-2) == "-2" and number(0.5) == "0.5"
    assert number(-0.0) == "0.0" and number(-0.00001) == "-1.000e-05"
    assert number(1e-9) == "1.000e-09" and number(2.5e7) == "2.500e+07"
    assert number(float("nan")) == "nan" and number(float("-inf")) == "-inf"
    assert number(True) == "True" and number(np.int64(3)) == "3"


def test_block_is_whole_when_small_and_cut_when_big():
    assert block(np.array([1.0, 2.5])) == "[1.0, 2.5]"
    assert block(np.float32(2.5613)) == "2.5613"
    assert block(None) == "None"
    grid = block(np.eye(4, 5) * 2 + 2)
    assert grid.splitlines()[0] == "4.0  2.0  2.0  2.0  2.0"
    big = block(np.arange(100.0).reshape(10, 10))
    assert "…" in big and len(big.splitlines()) == 7
    assert block(np.zeros((2, 2, 2))).endswith("(shape [2, 2, 2])")
    assert block(minigrad.tensor([1.0, 2.0])) == "[1.0, 2.0]"


def test_compact_labels_stay_short():
    assert compact(np.ones((5, 3))) == "[5, 3] [1.0, 1.0, 1.0, …]"
    assert compact(np.array([0.5, 0.25])) == "[0.5, 0.25]"
    assert compact(None) == ""


def test_pictures_and_panels_share_the_formatter():
    from minigrad.viz import _text

    assert _text.number is number
    assert _text.value_lines(np.array([1.0, 0.25])) == ["[1.0, 0.25]"]


def test_names_come_from_a_namespace_and_modules():
    w = minigrad.ones(2, requires_grad=True)
    model = minigrad.nn.Linear(2, 1)
    found = tensors_in({"w": w, "_": w, "alias": w, "model": model, "n": 3})
    assert list(found) == ["w", "model.weight", "model.bias"]
    loss = model(w.reshape(1, 2)).sum() * 2
    nodes = graph_nodes([loss.grad_fn])
    namer = Namer(nodes, names={"loss": loss}, namespace={"w": w, "model": model})
    labels = sorted(namer.label(n) for n in nodes if type(n).__name__ == "AccumulateGrad")
    assert labels == ["model.bias", "model.weight", "w"]
    assert namer.label(loss.grad_fn) == "MulBackward0 (loss)"


def test_unnamed_leaves_get_stable_names():
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, requires_grad=True)
    out = (a * b).sum()
    nodes = graph_nodes([out.grad_fn])
    namer = Namer(nodes)
    assert sorted(namer.leaf_name.values()) == ["leaf1", "leaf2"]


def test_importing_minigrad_does_not_import_ipywidgets_or_graphviz():
    code = (
        "import sys, minigrad, minigrad.widgets\n"
        "from minigrad.widgets import StepperModel\n"
        "a = minigrad.ones(2, requires_grad=True)\n"
        "StepperModel((a * 2).sum()).next()\n"
        "print('ipywidgets' in sys.modules, 'graphviz' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
