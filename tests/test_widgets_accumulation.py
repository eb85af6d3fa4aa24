"""AccumulationExplorer: the tutorial's Jacobian-product cell, clicked instead of typed.

It acts on the real tensors, so each shown value is compared with the same calls made by hand on
an identical graph (and with PyTorch when installed).
"""

import html
import re

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import FREED_GRAPH_MESSAGE
from minigrad.widgets import AccumulationExplorer, AccumulationModel
from minigrad.widgets._common import block
from minigrad.widgets._html import SIZES

FIRST = np.array([[4.0, 2, 2, 2, 2], [2, 4, 2, 2, 2], [2, 2, 4, 2, 2], [2, 2, 2, 4, 2]])


def cell():
    inp = minigrad.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    return inp, out


def shown(explorer):
    return html.unescape(explorer._ui.history_pane.value)


def test_the_seed_cell_by_clicks_matches_the_same_calls_by_hand():
    inp, out = cell()
    explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out))
    twin_inp, twin_out = cell()
    ui = explorer._ui
    assert [e.action for e in explorer.history] == ["start"]
    assert explorer.history[0].grads == {"inp": None}

    ui.backward_button.click()
    twin_out.backward(minigrad.ones_like(twin_out), retain_graph=True)
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], twin_inp.grad.data)
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], FIRST)
    assert block(FIRST) in shown(explorer)

    ui.backward_button.click()  # a second click doubles the shown gradient
    twin_out.backward(minigrad.ones_like(twin_out), retain_graph=True)
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], 2 * FIRST)
    np.testing.assert_array_equal(inp.grad.data, twin_inp.grad.data)
    assert block(2 * FIRST) in shown(explorer)

    ui.zero_button.click()
    twin_inp.grad.zero_()
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], np.zeros((4, 5)))
    np.testing.assert_array_equal(inp.grad.data, 0)

    ui.backward_button.click()
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], FIRST)
    assert [e.action for e in explorer.history] == [
        "start",
        "backward(v), retain_graph=True",
        "backward(v), retain_graph=True",
        "zero_()",
        "backward(v), retain_graph=True",
    ]
    assert explorer.error is None
    # history holds copies: later calls do not change earlier entries
    np.testing.assert_array_equal(explorer.history[1].grads["inp"], FIRST)


def test_matches_pytorch(pt):
    inp, out = cell()
    explorer = AccumulationExplorer(out, [inp], minigrad.ones_like(out), names=["inp"])
    explorer.backward()
    explorer.backward()
    t_inp = pt.eye(4, 5, requires_grad=True)
    t_out = (t_inp + 1).pow(2).t()
    t_out.backward(pt.ones_like(t_out), retain_graph=True)
    t_out.backward(pt.ones_like(t_out), retain_graph=True)
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], t_inp.grad.numpy())


def test_retain_graph_off_shows_the_freed_graph_error(capsys):
    inp, out = cell()
    explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out))
    ui = explorer._ui
    ui.retain_toggle.value = False  # the student's click on the toggle
    assert explorer.retain_graph is False
    assert "retain_graph=False" in ui.retain_toggle.description
    ui.backward_button.click()
    assert explorer.error is None
    np.testing.assert_array_equal(inp.grad.data, FIRST)
    ui.backward_button.click()  # the graph was freed by the first call
    assert explorer.error == FREED_GRAPH_MESSAGE
    assert FREED_GRAPH_MESSAGE in html.unescape(ui.status.value)
    assert "minigrad-error" in ui.status.value
    entry = explorer.history[-1]
    assert entry.error == FREED_GRAPH_MESSAGE
    np.testing.assert_array_equal(entry.grads["inp"], FIRST)  # unchanged by the failed call
    np.testing.assert_array_equal(inp.grad.data, FIRST)
    # what PyTorch's own calls do, for comparison
    twin_inp, twin_out = cell()
    twin_out.backward(minigrad.ones_like(twin_out))
    with pytest.raises(RuntimeError, match="second time"):
        twin_out.backward(minigrad.ones_like(twin_out))
    # a later successful action clears the message
    ui.zero_button.click()
    assert explorer.error is None and 'minigrad-error"' not in ui.status.value
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_retain_graph_property_syncs_the_toggle():
    inp, out = cell()
    explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out), retain_graph=False)
    ui = explorer._ui
    assert ui.retain_toggle.value is False and explorer.retain_graph is False
    explorer.retain_graph = True
    assert ui.retain_toggle.value is True and explorer.model.retain_graph is True
    assert "retain_graph=True" in ui.retain_toggle.description
    assert len(ui.retain_toggle._trait_notifiers["value"]["change"]) == 1
    for b in (ui.backward_button, ui.zero_button):
        assert len(b._click_handlers.callbacks) == 1


def test_zero_on_a_none_grad_keeps_none():
    inp, out = cell()
    explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out))
    explorer.zero_()
    assert explorer.history[-1].grads == {"inp": None} and explorer.error is None
    assert inp.grad is None


@pytest.mark.parametrize("case", ["non-scalar", "no grad", "not a tensor"])
def test_errors_are_shown_not_raised(case):
    inp, out = cell()
    if case == "non-scalar":
        explorer = AccumulationExplorer(out, inp)
        expected = "grad can be implicitly created only for scalar outputs"
    elif case == "no grad":
        explorer = AccumulationExplorer(minigrad.ones(2).sum(), inp)
        expected = "element 0 of tensors does not require grad and does not have a grad_fn"
    else:
        explorer = AccumulationExplorer([1.0], inp)
        expected = "needs a tensor"
    explorer.backward()
    assert expected in explorer.error
    assert expected in html.unescape(explorer._ui.status.value)
    assert inp.grad is None


def test_several_inputs_and_names():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    loss = (a * b).sum()
    explorer = AccumulationExplorer(loss, [a, b])  # names from this function's variables
    explorer.backward()
    assert list(explorer.history[-1].grads) == ["a", "b"]
    np.testing.assert_array_equal(explorer.history[-1].grads["a"], [3.0, 4.0])
    np.testing.assert_array_equal(explorer.history[-1].grads["b"], [1.0, 2.0])
    by_dict = AccumulationModel(loss, {"first": a, "second": b})
    assert list(by_dict.inputs) == ["first", "second"]
    anonymous = AccumulationModel(loss, [a, a])
    assert list(anonymous.inputs) == ["input0", "input1"]
    with pytest.raises(ValueError):
        AccumulationExplorer(loss, [a, b], names=["only one"])


def test_bundle_is_deterministic_html_and_text():
    bundles = []
    for _ in range(2):
        inp, out = cell()
        explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out), size="large")
        explorer.backward()
        explorer.backward()
        bundles.append(explorer._repr_mimebundle_())
    (a, meta), (b, _) = bundles
    assert "application/vnd.jupyter.widget-view+json" in a
    assert meta == {"minigrad-widget": "AccumulationExplorer"}
    assert a["text/html"] == b["text/html"] and a["text/plain"] == b["text/plain"]
    assert not re.search(r"0x[0-9a-f]{6,}", a["text/plain"])
    assert "8.0  4.0  4.0  4.0  4.0" in a["text/plain"]
    assert f"font-size: {SIZES['large']['font']}" in a["text/html"]  # it was made size="large"


def test_classes_and_keyboard():
    inp, out = cell()
    ui = AccumulationExplorer(out, inp, minigrad.ones_like(out))._ui
    assert "minigrad-accumulation" in ui.box._dom_classes
    for widget, css in [
        (ui.backward_button, "minigrad-backward"),
        (ui.zero_button, "minigrad-zero"),
        (ui.retain_toggle, "minigrad-retain"),
        (ui.history_pane, "minigrad-history"),
    ]:
        assert css in widget._dom_classes
    for widget in (ui.backward_button, ui.zero_button, ui.retain_toggle):
        assert widget.tooltip and widget.description


def test_the_whole_history_scrolls_and_the_newest_call_is_highlighted():
    inp, out = cell()
    explorer = AccumulationExplorer(out, inp, minigrad.ones_like(out))
    for _ in range(8):
        explorer.backward()
    assert len(explorer.history) == 9
    pane = shown(explorer)
    assert pane.count("<tr") == 10  # header + every entry: nothing is dropped
    assert explorer._ui.history_pane.layout.overflow == "auto"
    last = pane.rsplit("<tr", 1)[1]
    assert "minigrad-highlight" in last and "backward(v)" in last
    np.testing.assert_array_equal(explorer.history[-1].grads["inp"], 8 * FIRST)


def test_each_call_shows_before_plus_this_call_equals_after():
    a = minigrad.tensor(2.0, requires_grad=True)
    out = a * a + a  # d out/da = 2a + 1 = 5
    explorer = AccumulationExplorer(out, a)
    explorer.backward()
    explorer.backward()
    first, second = explorer.history[1:]
    assert first.before["a"] is None and float(first.added("a")) == 5.0
    assert float(second.before["a"]) == 5.0 and float(second.grads["a"]) == 10.0
    pane = shown(explorer)
    assert "None + 5.0 = 5.0" in pane and "5.0 + 5.0 = 10.0" in pane


def test_after_the_freed_graph_error_the_forward_runs_again():
    inp = minigrad.eye(2, requires_grad=True)
    explorer = AccumulationExplorer(
        (inp * 3).sum(), inp, retain_graph=False, forward=lambda: (inp * 3).sum()
    )
    ui = explorer._ui
    assert ui.forward_button.layout.display == "none"
    explorer.backward()
    failed = explorer.backward()
    assert failed.error and "second time" in failed.error and explorer.model.needs_forward
    np.testing.assert_array_equal(inp.grad.numpy(), np.full((2, 2), 3.0))  # unchanged by the error
    assert ui.forward_button.layout.display == "" and "forward again" in shown_status(explorer)
    ui.forward_button.click()
    assert explorer.error is None and explorer.history[-1].action == "forward again"
    explorer.backward()
    np.testing.assert_array_equal(inp.grad.numpy(), np.full((2, 2), 6.0))
    assert ui.forward_button.layout.display == "none"


def test_without_a_forward_function_the_hint_says_to_rerun_the_cell():
    inp = minigrad.eye(2, requires_grad=True)
    explorer = AccumulationExplorer((inp * 3).sum(), inp, retain_graph=False)
    explorer.backward()
    explorer.backward()
    assert "Re-run the cell" in shown_status(explorer)
    assert explorer._ui.forward_button.layout.display == "none"
    assert explorer.forward_again() is None and "No forward function" in explorer.error


def shown_status(explorer):
    return html.unescape(explorer._ui.status.value)
