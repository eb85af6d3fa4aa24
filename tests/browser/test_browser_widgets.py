"""minigrad's widgets clicked in a real JupyterLab: what the page shows after each click.

Two sources of widgets:

* a small notebook this module writes (known numbers, so the expected gradients are exact);
* the lessons that build a ``BackwardStepper`` / ``AccumulationExplorer`` (run by the lesson test
  and kept open, or run here when that test was not selected): the stepper must end on the same
  ``w.grad`` the lesson's own ``loss.backward()`` cell prints.

Screenshots of every state clicked through go to the artifacts folder.
"""

import pytest

import _labpage
from _suite import lessons_using, write_notebook
from _widgets import (
    after,
    explorer_state,
    numbers,
    printed_tensor,
    stepper_state,
    wait_change,
    wait_until,
)

pytestmark = pytest.mark.browser

SCRATCH = [
    "import minigrad as torch\n"
    "from minigrad.widgets import AccumulationExplorer, BackwardStepper\n"
    "x = torch.tensor([1.0, 2.0, 3.0])\n"
    "w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
    "b = torch.tensor(0.25, requires_grad=True)\n"
    "loss = ((w * x).sum() + b) ** 2\n"
    "stepper = BackwardStepper(loss, names=dict(x=x, w=w, b=b, loss=loss))\n"
    "stepper",
    # the real thing, after the stepper's dry run: s = 4.75, d loss/d w = 2 s x
    "loss.backward()\nprint(w.grad)\nprint(b.grad)",
    "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "sq = a * a\n"
    "explorer = AccumulationExplorer(sq, [a], gradient=torch.ones_like(sq), names=['a'])\n"
    "explorer",
    # predict mode: P = r * r + p with r = p * q; the first arrows carry 1, r = -6, 2r·q = 36
    "p = torch.tensor(2.0, requires_grad=True)\n"
    "q = torch.tensor(-3.0, requires_grad=True)\n"
    "r = p * q\n"
    "P = r * r + p\n"
    "predictor = BackwardStepper(P, names=dict(p=p, q=q, r=r, P=P), predict=True)\n"
    "predictor",
]
W_GRAD = [9.5, 19.0, 28.5]
PREDICT_CELL = 3
B_GRAD = [9.5]


@pytest.fixture
def scratch(lab, lab_root, notebook_runs):
    """The scratch widget notebook, run once and kept open for this module's tests (each test
    copes with the state the one before left: it resets what it needs)."""
    path = "scratch/widget_checks.ipynb"
    if not (lab_root / path).exists():
        write_notebook(lab_root / "scratch", "widget_checks.ipynb", SCRATCH)
    nb, cells, _ = notebook_runs.run(path, keep=True)
    assert _labpage.problems_in(cells) == []
    return nb, cells


def click(nb, box, css, read):
    """Click the control with class ``css`` inside ``box``; return the state once it changed."""
    before = read(box)
    box.locator(f".{css}").first.click()
    return wait_change(nb.page, lambda: read(box), before, nb.kernel_idle)


def step_to_end(nb, box, shots=None):
    """Reset, then Next up to the slider's maximum: the list of states, checked on the way."""
    states = [stepper_state(box)]
    if states[0]["step"] != "0":
        states = [click(nb, box, "minigrad-reset", stepper_state)]
    first = states[0]
    assert first["step"] == "0" and first["active"] == [], first
    n = int(float(first["steps"]))
    for _ in range(n):
        before = states[-1]
        box.locator(".minigrad-next").first.click()
        now = wait_change(nb.page, lambda: stepper_state(box), before, nb.kernel_idle)
        states.append(now)
        if shots is not None:
            box.screenshot(path=str(shots(len(states) - 1)))
        # the highlighted node moved, and the slider and the gradient text followed it
        assert len(now["active"]) == 1, now
        assert now["active"] != before["active"], (before, now)
        assert int(now["step"]) == int(before["step"]) + 1
        assert now["done"] == (before["done"] or 0) + (1 if before["active"] else 0)
        assert now["incoming"] and now["incoming"] != "None"
        assert now["info"] != before["info"]
    return states


def leaf_updates(states):
    """{leaf name: the step at which its shown .grad changed} (each leaf exactly once)."""
    changed = {}
    for i in range(1, len(states)):
        for name, text in states[i]["grads"].items():
            if text != states[i - 1]["grads"][name]:
                assert name not in changed, f"{name}.grad changed twice"
                changed[name] = i
    return changed


def test_stepper_next_moves_highlight_and_ends_on_backwards_grad(scratch, lab, artifacts):
    nb, cells = scratch
    box = nb.node.locator(".minigrad-stepper").first
    states = step_to_end(nb, box, lambda i: artifacts / f"widget-stepper-step{i}.png")
    n = int(states[-1]["step"])
    assert n == len(states) - 1 >= 4  # Pow, Add, Sum, Mul and two AccumulateGrad at least
    assert states[0]["grads"] == {"w": "None", "b": "None"}
    assert set(leaf_updates(states)) == {"w", "b"}
    assert numbers(states[-1]["grads"]["w"]) == W_GRAD
    assert numbers(states[-1]["grads"]["b"]) == B_GRAD
    # ... which is what the real loss.backward() printed in the next cell
    printed = cells[1]["outputs"][0]["text"]
    assert printed_tensor(printed, 0) == W_GRAD and printed_tensor(printed, 1) == B_GRAD
    # every active node was a different node: the highlight walked the whole graph
    walked = [s["active"][0] for s in states[1:]]
    assert len(set(walked)) == len(walked)
    # Prev goes back one step, Reset to the start
    back = click(nb, box, "minigrad-prev", stepper_state)
    assert int(back["step"]) == n - 1 and back["active"] == states[-2]["active"]
    start = click(nb, box, "minigrad-reset", stepper_state)
    assert start == states[0]


def test_widget_controls_work_from_the_keyboard(scratch, lab, artifacts):
    """Tab moves the focus onto a control and Enter presses it (no mouse)."""
    nb, _ = scratch
    page = lab.page
    box = nb.node.locator(".minigrad-stepper").first
    if stepper_state(box)["step"] != "0":
        click(nb, box, "minigrad-reset", stepper_state)
    box.locator(".minigrad-reset").first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "minigrad-next" in focused, f"Tab Tab from Reset focused {focused!r}"
    before = stepper_state(box)
    page.keyboard.press("Enter")
    after = wait_change(page, lambda: stepper_state(box), before, nb.kernel_idle)
    assert after["step"] == "1" and len(after["active"]) == 1
    page.keyboard.press("Enter")  # the focus stayed on Next
    assert wait_change(page, lambda: stepper_state(box), after, nb.kernel_idle)["step"] == "2"

    explorer = nb.node.locator(".minigrad-accumulation").first
    explorer.locator(".minigrad-zero").first.focus()
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "minigrad-backward" in focused, f"Shift+Tab from zero_() focused {focused!r}"
    before = explorer_state(explorer)
    page.keyboard.press("Enter")
    state = wait_change(page, lambda: explorer_state(explorer), before, nb.kernel_idle)
    assert "backward" in state["rows"][-1][1] and state["status"] != before["status"]
    box.screenshot(path=str(artifacts / "widget-stepper-keyboard.png"))


def check_explorer_doubles_and_resets(nb, box, shot=None):
    """zero_(), backward, backward: the second shows twice the first; zero_() makes zeros."""

    def last(state):
        return after(state["rows"][-1][2])

    state = explorer_state(box)
    if state["rows"][-1][2] != "None":  # a None grad stays None under zero_(): start from zeros
        state = click(nb, box, "minigrad-zero", explorer_state)
        assert set(last(state)) == {0.0}
    once = click(nb, box, "minigrad-backward", explorer_state)
    twice = click(nb, box, "minigrad-backward", explorer_state)
    if shot:
        box.screenshot(path=str(shot("twice")))
    g = last(once)
    assert any(v != 0 for v in g), once
    assert last(twice) == [2 * v for v in g], (once["rows"][-1], twice["rows"][-1])
    zeroed = click(nb, box, "minigrad-zero", explorer_state)
    if shot:
        box.screenshot(path=str(shot("zeroed")))
    assert last(zeroed) == [0.0] * len(g)
    assert "zero_()" in zeroed["rows"][-1][1]
    return g


def test_explorer_two_backwards_double_the_grad_and_zero_resets(scratch, lab, artifacts):
    nb, _ = scratch
    box = nb.node.locator(".minigrad-accumulation").first
    first = explorer_state(box)
    assert first["header"][:2] == ["#", "action"] and first["header"][2].startswith("a.grad")
    if first["rows"][-1][2] == "None":  # fresh: the first backward fills a.grad
        once = click(nb, box, "minigrad-backward", explorer_state)
        assert after(once["rows"][-1][2]) == [2.0, 4.0]  # d(sum a*a)/da = 2a
        assert once["rows"][-1][2].startswith("None + ")
    g = check_explorer_doubles_and_resets(
        nb, box, lambda tag: artifacts / f"widget-explorer-{tag}.png"
    )
    assert g == [2.0, 4.0]


# -- the same widgets inside the lessons ---------------------------------------------------------
# lessons that step the tutorial's graph and print the w.grad its loss.backward() gives
STEPPER_LESSONS = lessons_using("BackwardStepper(loss")
EXPLORER_LESSONS = lessons_using("AccumulationExplorer(")


def backward_printout(cells):
    """stdout of the lesson's cell that runs ``loss.backward()`` and prints ``w.grad``."""
    for cell in cells:
        if "loss.backward()" in cell["source"] and "print(w.grad)" in cell["source"]:
            return "".join(o["text"] for o in cell["outputs"] if o["type"] == "stream")
    raise AssertionError("the lesson has no cell running loss.backward() and printing w.grad")


@pytest.mark.parametrize("lesson", STEPPER_LESSONS, ids=[p.stem for p in STEPPER_LESSONS])
def test_lesson_stepper_ends_on_the_grad_the_lesson_prints(lesson, lab, notebook_runs, artifacts):
    nb, cells, _ = notebook_runs.run(f"notebooks/{lesson.name}")
    try:
        views = nb.node.locator(".minigrad-stepper").filter(
            has=nb.page.locator(".minigrad-grad-table b", has_text="w")
        )
        box = views.first
        box.screenshot(path=str(artifacts / f"widget-{lesson.stem}-stepper-as-run.png"))
        states = step_to_end(nb, box)
        box.screenshot(path=str(artifacts / f"widget-{lesson.stem}-stepper-end.png"))
        assert "w" in leaf_updates(states)
        shown = numbers(states[-1]["grads"]["w"])
        printed = printed_tensor(backward_printout(cells), 0)
        assert shown == printed, "the stepper's last step shows another w.grad than backward()"
        # a second view of the same stepper (the lesson displays it twice) follows the clicks
        for i in range(1, views.count()):
            assert stepper_state(views.nth(i)) == states[-1]
    finally:
        notebook_runs.release(f"notebooks/{lesson.name}")


@pytest.mark.parametrize("lesson", EXPLORER_LESSONS, ids=[p.stem for p in EXPLORER_LESSONS])
def test_lesson_explorer_doubles_and_resets(lesson, lab, notebook_runs, artifacts):
    nb, _, _ = notebook_runs.run(f"notebooks/{lesson.name}")
    try:
        box = nb.node.locator(".minigrad-accumulation").first
        check_explorer_doubles_and_resets(
            nb, box, lambda tag: artifacts / f"widget-{lesson.stem}-explorer-{tag}.png"
        )
    finally:
        notebook_runs.release(f"notebooks/{lesson.name}")


_PREDICT_STATE = """
(box) => {
  const text = (sel) => { const n = box.querySelector(sel); return n ? n.innerText.trim() : ''; };
  const next = box.querySelector('.minigrad-next');
  const input = box.querySelector('.minigrad-answer input');
  return {question: text('.minigrad-question'), feedback: text('.minigrad-feedback'),
          right: !!box.querySelector('.minigrad-feedback-right'),
          wrong: !!box.querySelector('.minigrad-feedback-wrong'),
          next_disabled: next.disabled, input_disabled: input.disabled,
          step: text('.minigrad-slider .widget-readout')};
}
"""


def test_predict_mode_says_right_or_wrong_then_next_shows_the_step(scratch, lab, artifacts):
    """Type a prediction into the stepper's box, press Enter: the widget says right or wrong,
    and only then does Next show the step. Keys typed in the box stay there (the notebook's
    active cell does not move)."""
    nb, _ = scratch
    page = lab.page
    box = nb.node.locator(".jp-Cell").nth(PREDICT_CELL).locator(".minigrad-stepper").first

    def state():
        return box.evaluate(_PREDICT_STATE)

    def active_cell():
        return page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))"
            ".findIndex(c => c.classList.contains('jp-mod-active'))"
        )

    if state()["step"] != "0":
        click(nb, box, "minigrad-reset", stepper_state)
    start = state()
    assert start["step"] == "0" and start["next_disabled"] and not start["input_disabled"], start
    assert "Predict" in start["question"] and "dP/d" in start["question"], start
    box.locator(".minigrad-next").first.click(force=True)  # disabled: nothing happens
    page.wait_for_timeout(300)
    assert state()["step"] == "0"

    answer = box.locator(".minigrad-answer input").first
    answer.click()
    cell_before = active_cell()
    answer.type("[5]")  # a wrong prediction for the first arrow (it carries 1)
    page.keyboard.press("Enter")
    wrong = wait_until(page, state, lambda s: s["wrong"], idle=nb.kernel_idle)
    assert "✘" in wrong["feedback"] and "engine computes 1.0" in wrong["feedback"], wrong
    assert not wrong["next_disabled"] and wrong["step"] == "0"  # not shown before Next
    assert active_cell() == cell_before  # the keys stayed in the box
    box.screenshot(path=str(artifacts / "widget-predict-wrong.png"))
    box.locator(".minigrad-next").first.click()
    shown = wait_until(page, state, lambda s: s["step"] == "1", idle=nb.kernel_idle)
    assert shown["feedback"] == "" and shown["next_disabled"] and not shown["right"]

    answer.click()
    answer.type("-6")  # r * r sends r along each of its arrows
    page.keyboard.press("Enter")
    right = wait_until(page, state, lambda s: s["right"], idle=nb.kernel_idle)
    assert "✔" in right["feedback"] and "Right: -6.0" in right["feedback"], right
    box.screenshot(path=str(artifacts / "widget-predict-right.png"))
    box.locator(".minigrad-next").first.click()
    after_step = wait_until(
        page, lambda: stepper_state(box), lambda s: s["step"] == "2", idle=nb.kernel_idle
    )
    assert len(after_step["active"]) == 1
    assert any("-6.0" in line for line in after_step["chain"]), after_step["chain"]
