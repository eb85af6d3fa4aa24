"""BackwardStepper: every step shown equals the real backward pass, and watching changes nothing.

The oracle is a second, identical graph on which the real ``backward()`` runs (through
``backward_steps`` with accumulation, which is what ``loss.backward()`` drains), plus PyTorch for
the seed graph's final gradients when it is installed.
"""

import html
import re

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import FREED_GRAPH_MESSAGE, AccumulateGrad
from minigrad.widgets import BackwardStepper, StepperModel
from minigrad.widgets._common import block
from widget_graphs import arr, mlp_graph, q_graph, real_steps, seed_graph, twice_graph

GRAPHS = {
    "seed": (seed_graph, "loss", None),
    "Q": (q_graph, "Q", "ones"),
    "a+a": (twice_graph, "s", None),
    "mlp": (mlp_graph, "loss", None),
}


def build(kind):
    make, root, gradient = GRAPHS[kind]
    g = make()
    v = minigrad.ones_like(g[root]) if gradient == "ones" else None
    return g, g[root], v


def unescape(widget):
    return html.unescape(widget.value)


def active_box(picture):
    active = [n for n in picture.nodes if n.state == "active"]
    assert len(active) <= 1
    return active[0] if active else None


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_every_step_matches_the_real_backward(kind):
    g, root, v = build(kind)
    names = {k: t for k, t in g.items() if isinstance(t, minigrad.Tensor)}
    stepper = BackwardStepper(root, v, names)
    twin, twin_root, twin_v = build(kind)
    real = real_steps(twin_root, twin_v)  # this really runs backward on the twin
    assert [s.node.name() for s in stepper.steps] == [s.node.name() for s in real]
    assert stepper.index == -1 and stepper.error is None
    ui = stepper._ui
    for i, expected in enumerate(real):
        ui.next_button.click()
        assert stepper.index == i
        step = stepper.steps[i]
        np.testing.assert_allclose(arr(step.incoming), arr(expected.incoming), rtol=1e-6)
        for got, want in zip(step.outgoing, expected.outgoing):
            assert (got is None) == (want is None)
            if got is not None:
                np.testing.assert_allclose(arr(got), arr(want), rtol=1e-6)
        # the pane shows where the gradient came from, the chain rule of every edge, the formula
        info = unescape(ui.info)
        assert stepper.model.arrival() in info
        for line in stepper.model.chain_lines():
            assert line.text() in info and line.agrees
        assert step.node.formula in info
        # the picture highlights exactly this node, with everything before it done
        picture = stepper.picture()
        assert active_box(picture).id == picture.node_id(step.node)
        done = {n.id for n in picture.nodes if n.state == "done"}
        assert {picture.node_id(s.node) for s in stepper.steps[:i]} - {
            picture.node_id(step.node)
        } <= done
        # leaf grads shown so far equal the real .grad after the same number of steps
        if expected.leaf is not None:
            np.testing.assert_allclose(arr(step.grad_after), arr(expected.grad_after), rtol=1e-6)
    shown = stepper.leaf_grads()
    for name, t in names.items():
        if t.is_leaf and t.requires_grad:
            np.testing.assert_allclose(arr(shown[name]), arr(twin[name].grad), rtol=1e-6)
            assert t.grad is None  # the stepper never touched the real tensors


def test_seed_graph_end_state_equals_loss_backward(pt):
    g = seed_graph()
    stepper = BackwardStepper(g["loss"], names=dict(w=g["w"], b=g["b"], z=g["z"], loss=g["loss"]))
    stepper.go(len(stepper.steps) - 1)
    twin = seed_graph()
    twin["loss"].backward()
    grads = stepper.leaf_grads()
    assert list(grads) == ["w", "b"]
    np.testing.assert_allclose(arr(grads["w"]), arr(twin["w"].grad), rtol=1e-6)
    np.testing.assert_allclose(arr(grads["b"]), arr(twin["b"].grad), rtol=1e-6)
    # and with PyTorch itself
    w = pt.tensor(np.asarray(g["w"].data), requires_grad=True)
    b = pt.tensor(np.asarray(g["b"].data), requires_grad=True)
    z = pt.matmul(pt.ones(5), w) + b
    pt.nn.functional.binary_cross_entropy_with_logits(z, pt.zeros(3)).backward()
    np.testing.assert_allclose(arr(grads["w"]), w.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(arr(grads["b"]), b.grad.numpy(), rtol=1e-5)
    # the grad table shows w's values
    assert block(twin["w"].grad) in unescape(stepper._ui.grads)


def test_leaf_grads_at_every_index_follow_accumulation():
    g = seed_graph()
    stepper = BackwardStepper(g["loss"], names=dict(w=g["w"], b=g["b"]))
    order = [stepper.model.namer.label(s.node) for s in stepper.steps]
    assert order == [
        "BinaryCrossEntropyWithLogitsBackward0",
        "AddBackward0",
        "b",
        "MmBackward0",
        "w",
    ]
    expected_none = {-1: {"w", "b"}, 0: {"w", "b"}, 1: {"w", "b"}, 2: {"w"}, 3: {"w"}, 4: set()}
    for i, nones in expected_none.items():
        stepper.go(i)
        grads = stepper.leaf_grads()
        assert {k for k, v in grads.items() if v is None} == nones
        assert g["w"].grad is None and g["b"].grad is None


def test_q_graph_with_gradient_gives_analytic_values():
    g = q_graph()
    stepper = BackwardStepper(
        g["Q"], gradient=minigrad.tensor([1.0, 1.0]), names=dict(a=g["a"], b=g["b"])
    )
    stepper.go(99)
    grads = stepper.leaf_grads()
    np.testing.assert_allclose(arr(grads["a"]), 9 * np.array([2.0, 3.0]) ** 2)
    np.testing.assert_allclose(arr(grads["b"]), -2 * np.array([6.0, 4.0]))
    assert g["a"].grad is None


def test_a_plus_a_sums_both_uses_before_accumulating():
    g = twice_graph()
    stepper = BackwardStepper(g["s"], names=dict(a=g["a"]))
    assert [s.node.name() for s in stepper.steps] == [
        "SumBackward0",
        "AddBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    stepper.go(2)
    np.testing.assert_allclose(arr(stepper.steps[2].incoming), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(arr(stepper.leaf_grads()["a"]), [2.0, 2.0, 2.0])


def test_mlp_parameters_are_named_from_the_module():
    g = mlp_graph()
    model, loss = g["model"], g["loss"]  # noqa: F841  (found by name in this frame)
    stepper = BackwardStepper(loss)
    assert set(stepper.leaf_grads()) == {
        "model.0.weight",
        "model.0.bias",
        "model.2.weight",
        "model.2.bias",
    }
    assert all(p.grad is None for p in model.parameters())


def test_existing_grad_is_shown_accumulating_but_left_alone():
    g = seed_graph()
    g["loss"].backward(retain_graph=True)
    w_grad = g["w"].grad
    before = arr(w_grad).copy()
    stepper = BackwardStepper(g["loss"], names=dict(w=g["w"], b=g["b"]))
    np.testing.assert_allclose(arr(stepper.leaf_grads()["w"]), before)  # index -1: as it is now
    stepper.go(len(stepper.steps) - 1)
    np.testing.assert_allclose(arr(stepper.leaf_grads()["w"]), 2 * before, rtol=1e-6)
    assert g["w"].grad is w_grad
    np.testing.assert_array_equal(arr(g["w"].grad), before)


def test_retained_non_leaf_grad_is_not_touched():
    g = seed_graph()
    g["z"].retain_grad()
    BackwardStepper(g["loss"])
    assert g["z"]._grad is None


def test_ends_do_nothing_harmful():
    g = seed_graph()
    stepper = BackwardStepper(g["loss"])
    ui = stepper._ui
    ui.prev_button.click()
    assert stepper.index == -1
    assert stepper.prev() == -1
    n = len(stepper.steps)
    for _ in range(n + 3):
        ui.next_button.click()
    assert stepper.index == n - 1
    assert stepper.next() == n - 1
    assert stepper.go(1000) == n - 1 and stepper.go(-50) == -1
    ui.next_button.click()
    ui.reset_button.click()
    assert stepper.index == -1 and ui.slider.value == 0


def test_slider_and_play_drive_the_index():
    g = seed_graph()
    stepper = BackwardStepper(g["loss"])
    ui = stepper._ui
    assert (ui.slider.min, ui.slider.max) == (0, len(stepper.steps))
    ui.slider.value = 3
    assert stepper.index == 2
    assert "step 3 of 5" in unescape(ui.status)
    ui.play.value = 5  # what the Play widget does in the browser
    assert stepper.index == 4 and ui.slider.value == 5
    stepper.prev()
    assert ui.slider.value == 4 and ui.play.value == 4


def test_handlers_are_wired_once_and_rebuilds_are_independent():
    g = seed_graph()
    first = BackwardStepper(g["loss"])
    second = BackwardStepper(g["loss"])  # a re-run cell
    for ui in (first._ui, second._ui):
        for b in (ui.prev_button, ui.next_button, ui.reset_button):
            assert len(b._click_handlers.callbacks) == 1
        observers = ui.slider._trait_notifiers["value"]["change"]
        assert sum(getattr(o, "__func__", None) is type(ui)._on_slider for o in observers) == 1
    second._ui.next_button.click()
    assert (first.index, second.index) == (-1, 0)


@pytest.mark.parametrize("case", ["no grad", "non-scalar", "freed", "not a tensor", "bad gradient"])
def test_errors_are_shown_inside_the_widget(case, capsys):
    g = seed_graph()
    gradient = None
    expected = None
    if case == "no grad":
        root = minigrad.ones(3).sum()
        expected = "element 0 of tensors does not require grad and does not have a grad_fn"
    elif case == "non-scalar":
        root = g["z"]
        expected = "grad can be implicitly created only for scalar outputs"
    elif case == "freed":
        g["loss"].backward()
        root = g["loss"]
        expected = FREED_GRAPH_MESSAGE
    elif case == "bad gradient":
        root = g["z"]
        gradient = minigrad.ones(4)
        expected = "Mismatch in shape"
    else:
        root = [1, 2]
    stepper = BackwardStepper(root, gradient)
    assert stepper.error
    if expected:
        assert expected in stepper.error
        assert expected in unescape(stepper._ui.status)
    assert "minigrad-error" in stepper._ui.status.value
    stepper._ui.next_button.click()
    stepper._ui.prev_button.click()
    stepper.reset()
    bundle, _ = stepper._repr_mimebundle_()
    assert "text/plain" in bundle and "0x" not in bundle["text/plain"]
    if case == "freed":  # the root's node saved values, so the engine stops right there
        assert stepper.steps == []
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_freed_graph_part_way_shows_the_steps_before_the_error():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a).sum()  # SumBackward0 saved nothing; MulBackward0 saved a
    loss.backward()
    stepper = BackwardStepper(loss, names=dict(a=a))
    assert [s.node.name() for s in stepper.steps] == ["SumBackward0"]
    assert stepper.error == FREED_GRAPH_MESSAGE
    assert "stopped after 1 step." in unescape(stepper._ui.status)
    stepper.next()
    assert stepper.index == 0 and stepper.next() == 0


def test_bundle_has_a_picture_and_deterministic_text():
    a = BackwardStepper(seed_graph()["loss"])
    b = BackwardStepper(seed_graph()["loss"])
    for s in (a, b):
        s.go(2)
    (ba, meta), (bb, _) = a._repr_mimebundle_(), b._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in ba
    assert meta == {"minigrad-widget": "BackwardStepper"}
    assert ba["image/svg+xml"].startswith("<svg") and ba["image/svg+xml"] == bb["image/svg+xml"]
    assert ba["text/plain"] == bb["text/plain"] == repr(a)
    assert not re.search(r"0x[0-9a-f]{6,}", ba["text/plain"])
    assert "step 3 of 5" in ba["text/plain"]


def picture_limits(ui):
    m = re.search(
        r'data-natural-width="([\d.]+)pt" style="max-width: ([\d.]+)pt', ui.picture_pane.value
    )
    return float(m.group(1)), float(m.group(2))


def test_classes_keyboard_and_sizes():
    from minigrad.widgets._html import SIZES

    g = seed_graph()
    normal = BackwardStepper(g["loss"])
    large = BackwardStepper(g["loss"], size="large")
    ui = normal._ui
    assert {"minigrad-stepper", "minigrad-widget"} <= set(ui.box._dom_classes)
    for widget, css in [
        (ui.next_button, "minigrad-next"),
        (ui.prev_button, "minigrad-prev"),
        (ui.reset_button, "minigrad-reset"),
        (ui.play, "minigrad-play"),
        (ui.slider, "minigrad-slider"),
        (ui.picture_pane, "minigrad-picture"),
    ]:
        assert css in widget._dom_classes
    for b in (ui.next_button, ui.prev_button, ui.reset_button):
        assert b.description and b.tooltip
    assert ui.play.description == "Play" and "Stop" in ui.play.tooltip
    assert "→" in ui.next_button.tooltip and "←" in ui.prev_button.tooltip
    assert ui.keys in ui.box.children[1].children  # the key listener lives in the controls
    big = large._ui
    assert big.next_button.style.font_size == SIZES["large"]["font"]
    assert float(SIZES["large"]["font"][:-2]) > float(SIZES["normal"]["font"][:-2]) + 4
    # both pictures fill the cell's width, the large one may grow further (graph and text)
    natural, limit = picture_limits(ui)
    big_natural, big_limit = picture_limits(big)
    assert natural == big_natural
    assert limit == pytest.approx(natural * SIZES["normal"]["picture_scale"], rel=1e-3)
    assert big_limit == pytest.approx(natural * SIZES["large"]["picture_scale"], rel=1e-3)
    assert 'width="100%"' in ui.picture_pane.value
    assert "var(--jp-ui-font-color1" in ui.info.value
    with pytest.raises(ValueError):
        BackwardStepper(g["loss"], size="huge")
    with pytest.raises(ValueError):
        BackwardStepper(g["loss"], view="nope")
    with pytest.raises(ValueError):
        BackwardStepper(g["loss"], direction="up")
    wide = BackwardStepper(g["loss"], direction="LR")
    assert 'rankdir="LR"' in wide.picture().source
    assert 'rankdir="TB"' in normal.picture().source  # the default: the root at the bottom


def test_one_switch_sets_every_widgets_size_and_view():
    import minigrad.widgets as widgets

    g = seed_graph()
    try:
        assert widgets.defaults(size="large", view="data")["size"] == "large"
        stepper = BackwardStepper(g["loss"])
        explorer = widgets.AccumulationExplorer(g["loss"], [g["w"]])
        assert "minigrad-size-large" in stepper._ui.box._dom_classes
        assert "minigrad-size-large" in explorer._ui.box._dom_classes
        assert stepper._ui.view_name == "data"
        own = BackwardStepper(
            g["loss"], size="normal", view="autograd"
        )  # a widget's own choice wins
        assert (
            "minigrad-size-normal" in own._ui.box._dom_classes and own._ui.view_name == "autograd"
        )
        with pytest.raises(ValueError):
            widgets.defaults(size="huge")
    finally:
        widgets.defaults(reset=True)
    assert "minigrad-size-normal" in BackwardStepper(g["loss"])._ui.box._dom_classes


def test_keys_step_the_widget():
    stepper = BackwardStepper(seed_graph()["loss"])
    ui = stepper._ui
    for key, expected in [
        ("next", 0),
        ("next", 1),
        ("prev", 0),
        ("end", 4),
        ("next", 4),
        ("home", -1),
        ("prev", -1),
        ("bogus", -1),
    ]:
        ui._on_key(ui.keys, {"key": key}, [])
        assert stepper.index == expected, key
    assert ui.slider.value == 0


def test_model_alone_needs_no_widgets():
    g = seed_graph()
    model = StepperModel(g["loss"], names=dict(w=g["w"], b=g["b"]))
    assert model.next() == 0
    marks = model.marks()
    assert marks.active is model.steps[0].node and marks.done == ()
    assert model.steps[1].node in marks.pending
    model.go(4)
    marks = model.marks()
    assert isinstance(marks.active, AccumulateGrad)
    assert len(marks.edge_labels) == 4  # BCE->Add, Add->Mm, Add->b, Mm->w
    assert all(isinstance(i, int) for (_, i), _ in marks.edge_labels)  # keyed (node, edge number)
    assert "step 5 of 5: w" in model.text()


def test_no_stdout_while_stepping(capsys):
    g = mlp_graph()
    stepper = BackwardStepper(g["loss"], names=dict(model=g["model"]))
    for _ in range(len(stepper.steps) + 1):
        stepper._ui.next_button.click()
    stepper._ui.slider.value = 2
    stepper._repr_mimebundle_()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


SHAPE = re.compile(r'<(?:polygon|path|ellipse)\b[^>]*?(?:points|d|cx)="([^"]+)"')


def geometry(svg):
    """Every box's outline and every arrow's path: what must not move between steps."""
    return SHAPE.findall(svg)


def test_boxes_never_move_between_steps():
    g = seed_graph()
    stepper = BackwardStepper(g["loss"])
    frames = [stepper._ui.frame(i) for i in range(-1, len(stepper.steps))]
    assert all(f.startswith("<svg") for f in frames)
    first = geometry(frames[0])
    assert first and all(geometry(f) == first for f in frames)
    assert len(set(frames)) == len(frames)  # ... while what they show changes at every step
    again = BackwardStepper(seed_graph()["loss"])  # and the same graph gives the same pictures
    assert [again._ui.frame(i) for i in range(-1, len(again.steps))] == frames
    stepper.go(1)
    assert stepper._ui.frame() == frames[2]
    assert stepper._ui.frame().split("\n", 1)[1] in stepper._ui.picture_pane.value


def test_a_failing_custom_backward_is_shown_not_raised():
    class Broken(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("my backward is not written yet")

    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    loss = Broken.apply(a).sum()
    stepper = BackwardStepper(loss, names=[("a", a)])
    assert stepper.error == "ValueError: my backward is not written yet"
    assert [s.node.name() for s in stepper.steps] == ["SumBackward0"]
    status = unescape(stepper._ui.status)
    assert "ValueError" in status and "my backward is not written yet" in status
    assert a.grad is None


def test_picture_names_inputs_that_need_no_gradient():
    g = seed_graph()
    stepper = BackwardStepper(
        g["loss"], names={k: g[k] for k in ("x", "y", "w", "b", "loss")}, view="data"
    )
    labels = sorted(n.label for n in stepper.picture().nodes if n.kind in ("input", "parameter"))
    assert labels == ["b", "w", "x", "y"]


def test_each_frame_marks_the_running_box_by_its_class():
    """Browser tests and screen styles find the running node by class: every frame says it."""
    g = seed_graph()
    stepper = BackwardStepper(g["loss"])
    for i in range(len(stepper.steps)):
        stepper.go(i)
        frame = stepper._ui.frame()
        active = re.findall(
            r'<g id="node\d+" class="node [^"]*\bmg-active\b[^"]*">\n<title>([^<]+)</title>', frame
        )
        assert active == [stepper.picture().node_id(stepper.steps[i].node)]
        assert len(re.findall(r"\bmg-done\b", frame)) == i


def warmup():
    a = minigrad.tensor(2.0, requires_grad=True)
    b = minigrad.tensor(-3.0, requires_grad=True)
    c = minigrad.tensor(10.0, requires_grad=True)
    f = minigrad.tensor(-2.0, requires_grad=True)
    e = a * b
    d = e + c
    L = d * f
    return dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def test_predict_mode_asks_before_each_step_and_says_right_or_wrong():
    g = warmup()
    stepper = BackwardStepper(g["L"], names=g, predict=True)
    ui = stepper._ui
    assert ui.play is None and ui.next_button.disabled
    assert "Predict" in html.unescape(ui.question.value) and "dL/dd" in html.unescape(
        ui.question.value
    )
    assert stepper.next() == -1  # Next does nothing until the prediction is checked
    assert stepper.predict("nothing typed") == (
        False,
        "Type a number (or a list of numbers, e.g. [1.0, -2.0]) first.",
    )
    right, message = stepper.predict("-2")
    assert right and "Right" in message and not ui.next_button.disabled
    assert "✔" in ui.feedback.value
    assert stepper.next() == 0
    # the step shown is the real one: its first arrow carries what was predicted
    assert float(stepper.steps[0].outgoing[0].item()) == -2.0
    for i in range(1, len(stepper.steps)):
        prompt = html.unescape(ui.question.value)
        expected = stepper.model.question(i)[1]
        typed = str(float(expected.reshape(-1)[0])) if i % 2 else "[999]"
        right, message = stepper.predict(typed)
        assert right == (i % 2 == 1), (prompt, message)
        if not right:
            assert "engine computes" in message and "✘" in ui.feedback.value
        assert stepper.next() == i
    n = len(stepper.steps)
    assert stepper.predictions == {i: i == 0 or i % 2 == 1 for i in range(n)}
    assert all(t.grad is None for t in (g["a"], g["b"]))  # predicting changes nothing either


def test_predict_mode_questions_cover_leaves_and_tensors():
    g = seed_graph()
    model = StepperModel(g["loss"], names=g)
    prompts = [model.question(i)[0] for i in range(len(model.steps))]
    assert prompts[0].startswith(
        "the gradient BinaryCrossEntropyWithLogitsBackward0 (loss) sends to z"
    )
    assert any(p.startswith("b.grad after this step") for p in prompts)
    last = model.question(len(model.steps) - 1)[1]
    right, _ = model.check_prediction(len(model.steps) - 1, str(last.reshape(-1).round(4).tolist()))
    assert right  # a [5, 3] gradient typed as a flat list of 15 rounded numbers
    wrong, message = model.check_prediction(0, "[1, 2]")
    assert not wrong and "3 numbers" in message
    assert model.question(len(model.steps)) is None
