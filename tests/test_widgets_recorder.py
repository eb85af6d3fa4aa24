"""ForwardRecorder: the graph grows op by op; no_grad records nothing (and says why); detach cuts."""

import html
import re

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import _recorders
from minigrad.widgets import ForwardRecorder, RecorderModel
from widget_graphs import SEED_B, SEED_W

F = minigrad.nn.functional


def leaves():
    x = minigrad.ones(5)
    y = minigrad.zeros(3)
    w = minigrad.tensor(SEED_W, requires_grad=True)
    b = minigrad.tensor(SEED_B, requires_grad=True)
    return x, y, w, b


def ops_in(picture):
    return [n for n in picture.nodes if n.kind == "op"]


def test_seed_forward_grows_op_by_op():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b
        loss = F.binary_cross_entropy_with_logits(z, y)
    assert [s.node.name() for s in rec.steps] == [
        "MmBackward0",
        "AddBackward0",
        "BinaryCrossEntropyWithLogitsBackward0",
    ]
    assert rec.steps[-1].output is loss and rec.steps[1].output is z
    assert rec.index == 2  # the whole graph first
    ui = rec._ui_()
    ui.reset_button.click()
    assert rec.index == -1
    assert "no graph yet" in ui.picture_pane.value
    for i in range(3):
        ui.next_button.click()
        assert rec.index == i
        picture = rec.picture()
        assert len(ops_in(picture)) == i + 1  # the graph so far, nothing from the future
        active = [n for n in picture.nodes if n.state == "active"]
        assert [n.id for n in active] == [picture.node_id(rec.steps[i].node)]
        info = html.unescape(ui.info.value)
        assert f"grad_fn=<{rec.steps[i].node.name()}>" in info
    text = repr(rec)
    assert "2. z [3] = AddBackward0(the result of MmBackward0, b)" in text
    assert "3. loss (scalar) = BinaryCrossEntropyWithLogitsBackward0(z, y)" in text
    assert "1. (unnamed) [3] = MmBackward0(x, w)" in text
    # leaves join the graph when first used
    assert rec.model.describe(0)["new_leaves"] == ["w"]
    assert rec.model.describe(1)["new_leaves"] == ["b"]
    assert loss.grad_fn is rec.steps[-1].node
    assert _recorders == []


def test_names_can_be_given():
    x, y, w, b = leaves()
    with ForwardRecorder(names={"weights": w, "bias": b}) as rec:
        z = minigrad.matmul(x, w) + b  # noqa: F841
    assert rec.model.describe(1)["inputs"] == ["the result of MmBackward0", "bias"]


def test_picture_names_inputs_that_need_no_gradient():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b
        loss = F.binary_cross_entropy_with_logits(z, y)  # noqa: F841
    labels = {n.label for n in rec.picture().nodes if n.kind == "input"}
    assert labels == {"x", "y"}


def test_no_grad_records_nothing_and_says_why(capsys):
    x, y, w, b = leaves()
    with minigrad.no_grad(), ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b
    assert rec.steps == [] and z.requires_grad is False
    ui = rec._ui_()
    status = html.unescape(ui.status.value)
    assert "No graph was recorded" in status and "no_grad" in status
    for b_ in (ui.next_button, ui.prev_button, ui.reset_button):
        b_.click()
    assert rec.index == -1
    bundle, meta = rec._repr_mimebundle_()
    assert meta == {"minigrad-widget": "ForwardRecorder"}
    assert "No graph was recorded" in bundle["text/plain"]
    assert "text/html" in bundle and "No graph was recorded" in html.unescape(bundle["text/html"])
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_no_grad_inside_the_block_is_explained():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec, minigrad.no_grad():
        z = minigrad.matmul(x, w) + b  # noqa: F841
    assert rec.steps == []
    reason = rec.model.empty_reason()
    assert "z" in reason and "requires_grad=False" in reason and "no_grad" in reason


def test_partly_no_grad_lists_the_untracked_tensor():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b
        with minigrad.no_grad():
            z2 = z * 2  # noqa: F841
    assert len(rec.steps) == 2
    assert [name for name, _ in rec.model.untracked()] == ["z2"]
    assert "not recorded: z2" in repr(rec)
    assert "minigrad-untracked" in rec._ui_().info.value


def test_detach_cuts_the_graph_and_shows_a_fresh_leaf():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b
        z_det = z.detach()
        z_det.requires_grad_()
        out = z_det * 2  # noqa: F841
    assert [s.node.name() for s in rec.steps] == ["MmBackward0", "AddBackward0", "MulBackward0"]
    cuts = rec.model.cuts()
    assert [name for name, _ in cuts] == ["z_det"]
    assert "z.detach()" in cuts[0][1] and "new leaf" in cuts[0][1]
    assert rec.model.describe(2)["new_leaves"] == ["z_det"]
    assert rec.model.describe(2)["inputs"] == ["z_det", "2"]
    # the picture draws z_det as its own leaf, not connected to z's graph
    picture = rec.picture()
    assert any(n.kind == "parameter" and n.label == "z_det" for n in picture.nodes)
    assert any("detach() → z_det" in n.text for n in picture.nodes)
    info = html.unescape(rec._ui_().info.value)
    assert "Cut from the graph" in info and "z_det" in info
    # before z exists, the cut is not mentioned yet
    rec.go(0)
    assert rec.model.cuts() == []


def test_detach_only_is_explained():
    x, y, w, b = leaves()
    z = minigrad.matmul(x, w) + b
    with ForwardRecorder() as rec:
        z_det = z.detach()  # noqa: F841
    assert rec.steps == []
    assert "detach() creates no graph node" in rec.model.empty_reason()
    assert "z_det = z.detach()" in repr(rec)


def test_errors_inside_the_block_propagate_and_recording_stops():
    x, y, w, b = leaves()
    with pytest.raises(RuntimeError), ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b  # noqa: F841
        minigrad.matmul(w, w)  # wrong shapes
    assert _recorders == []
    assert len(rec.steps) == 2


def test_navigation_is_clamped_and_handlers_are_single():
    x, y, w, b = leaves()
    with ForwardRecorder() as rec:
        z = minigrad.matmul(x, w) + b  # noqa: F841
    ui = rec._ui_()
    ui.next_button.click()
    assert rec.index == 1
    assert rec.go(-9) == -1 and rec.prev() == -1
    ui.slider.value = 1
    assert rec.index == 0
    assert rec.next() == 1 and rec.reset() == -1
    for b_ in (ui.prev_button, ui.next_button, ui.reset_button):
        assert len(b_._click_handlers.callbacks) == 1
    assert "minigrad-recorder" in ui.box._dom_classes
    assert "minigrad-next" in ui.next_button._dom_classes


def test_bundle_is_deterministic_with_a_picture():
    bundles = []
    for _ in range(2):
        x, y, w, b = leaves()
        with ForwardRecorder(size="large") as rec:
            z = minigrad.matmul(x, w) + b
            loss = F.binary_cross_entropy_with_logits(z, y)  # noqa: F841
        rec.go(1)
        bundles.append(rec._repr_mimebundle_()[0])
    a, b = bundles
    assert a["image/svg+xml"] == b["image/svg+xml"] and a["text/plain"] == b["text/plain"]
    assert not re.search(r"0x[0-9a-f]{6,}", a["text/plain"])
    assert "operation 2 of 3" in a["text/plain"]


def test_model_alone():
    model = RecorderModel()
    x, y, w, b = leaves()
    model.start({"x": x, "w": w})
    z = minigrad.matmul(x, w) + b
    model.stop({"x": x, "w": w, "b": b, "z": z})
    assert model.index == 1 and model.caption() == "operation 2 of 2: z ← AddBackward0"
    roots = model.roots(0)
    assert len(roots) == 1 and roots[0].grad_fn.name() == "MmBackward0"
    assert model.roots(1) == [z]
    np.testing.assert_array_equal(model.steps[1].output.data, z.data)
