"""The classroom: the presenter notebook on a projector, driven by a clicker's keys only.

A 1024×768 projector at 150 % zoom is a 683×512 CSS-px viewport at device scale 1.5. The
teacher's path of notebooks/README.md is followed with key presses only (↑/↓ select a cell in
command mode, PageDown/PageUp/Home step the widget in it), and every number the path announces
is read off the screen. Also checked: each picture fits its cell and the step's arithmetic is on
screen with it; no box moves between steps; the keys never change the notebook's active cell;
a freshly run notebook leaves every widget at its start; light and dark theme screenshots.
"""

import re

import pytest

import _labpage
from _suite import lessons_using
from _widgets import after, explorer_state, numbers, settle, stepper_state, wait_until

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 683, "height": 512}
PRESENTER = "notebooks/presenter.ipynb"

_ACTIVE_CELL = """(path) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.context && w.context.path === path);
  return panel.content.activeCellIndex;
}"""

_CELL_OF = """(box) => {
  const cell = box.closest('.jp-Cell');
  return Array.from(cell.parentElement.querySelectorAll(':scope > .jp-Cell')).indexOf(cell);
}"""

_GEOMETRY = """(box) => {
  const svg = box.querySelector('.minigrad-picture svg');
  const s = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('g.node, g.edge')).map(g => {
    const r = g.getBoundingClientRect();
    return [g.id, Math.round(r.left - s.left), Math.round(r.top - s.top), Math.round(r.width), Math.round(r.height)];
  });
}"""

_FIT = """(box) => {
  const svg = box.querySelector('.minigrad-picture svg').getBoundingClientRect();
  const cell = box.closest('.jp-Cell').getBoundingClientRect();
  const chain = box.querySelector('.minigrad-chain') || box.querySelector('.minigrad-info');
  const line = chain.getBoundingClientRect();
  return {svgLeft: svg.left, svgRight: svg.right, svgTop: svg.top, svgBottom: svg.bottom,
          cellLeft: cell.left, cellRight: cell.right, lineTop: line.top, lineBottom: line.bottom,
          viewport: window.innerHeight, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth};
}"""


THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


@pytest.fixture(scope="module")
def projector_page(request, chromium, lab_server):
    """JupyterLab in a projector-sized page, file browser closed, one document at a time; booted
    once for both themes (a theme is CSS: switching it needs no new page). The lessons of the fit
    test (those selected) start running in the background at once, unseen behind the presenter
    notebook (``pending``); ``runs`` holds them once checked, for the other theme's turn."""
    context = chromium.new_context(viewport=PROJECTOR, device_scale_factor=1.5)
    lab = _labpage.LabPage(context, lab_server)
    lab.boot()
    lab.page.evaluate("() => { window.jupyterapp.shell.mode = 'single-document'; }")
    lab.runs = {}
    lab.pending = {
        f"notebooks/{item.callspec.params['lesson'].name}"
        for item in request.session.items
        if getattr(item, "originalname", None)
        == "test_every_widget_of_every_lesson_fits_the_screen"
        and getattr(item, "module", None) is request.module
    }
    lab.start_in_background(sorted(lab.pending))
    yield lab
    lab.reset()  # end the kernels of the notebooks still open here
    context.close()


@pytest.fixture(autouse=True)
def _guarded(projector_page):
    """The per-test guard of the shared page (conftest.py) on the projector page too: a request
    leaving the server or an unfiltered console error during a test fails it. The fit test's
    lessons run in the background here, so what the page did since the last check counts."""
    projector_page.open_guard(projector_page.pending, since_last_check=True)
    return projector_page


@pytest.fixture(scope="module", params=list(THEMES))
def projector(request, projector_page):
    """The projector page in the light or the dark theme (all light tests run first)."""
    lab = projector_page
    lab.page.evaluate(
        """async (theme) => { await window.jupyterapp.commands.execute(
            'apputils:change-theme', {theme}); }""",
        THEMES[request.param],
    )
    lab.page.wait_for_function(  # the theme's CSS is in: JupyterLab names it on <body>
        "(theme) => document.body.dataset.jpThemeName === theme", arg=THEMES[request.param]
    )
    lab.theme = request.param
    return lab


@pytest.fixture(scope="module")
def presenter(projector):
    """The presenter notebook freshly run for each theme: opened (new kernel) and run all in the
    first; in the second its kernel is restarted and every cell run again."""
    if projector.is_open(PRESENTER):
        nb = _labpage.Notebook(projector, PRESENTER)
        nb.activate()  # the lessons of the fit test were shown last
        nb.restart_kernel()
    else:
        nb = projector.open(PRESENTER)
    nb.run_all()
    cells = nb.wait_widgets()
    assert _labpage.problems_in(cells) == []
    projector.page.wait_for_timeout(500)
    return nb, cells


def select_cell(nb, index):
    """Command mode, then ↓ / ↑ until the cell ``index`` is the active one: keys only."""
    page = nb.page
    page.keyboard.press("Escape")
    for _ in range(60):
        now = page.evaluate(_ACTIVE_CELL, nb.path)
        if now == index:
            return
        page.keyboard.press("ArrowDown" if now < index else "ArrowUp")
    raise AssertionError(f"could not select cell {index} with the arrow keys")


def press(nb, box, key, read=stepper_state):
    before = read(box)
    nb.page.keyboard.press(key)
    return wait_until(nb.page, lambda: read(box), lambda now: now != before) and settle(
        nb.page, lambda: read(box), nb.kernel_idle
    )


def widgets(nb):
    boxes = nb.node.locator(".minigrad-widget")
    return [boxes.nth(i) for i in range(boxes.count())]


def check_fits(box, shot):
    """The picture lies inside the cell and the step's arithmetic is on screen with it."""
    box.evaluate("b => b.querySelector('.minigrad-picture').scrollIntoView({block: 'start'})")
    _labpage.wait_layout(box.page)
    fit = box.evaluate(_FIT)
    box.page.screenshot(path=str(shot))
    assert fit["svgLeft"] >= fit["cellLeft"] - 1 and fit["svgRight"] <= fit["cellRight"] + 1, fit
    assert fit["scrollWidth"] <= fit["clientWidth"] + 1, f"the widget scrolls sideways: {fit}"
    assert fit["svgTop"] >= 0 and fit["lineTop"] >= 0 and fit["lineBottom"] <= fit["viewport"], (
        f"the step's first line is not wholly on screen with the picture: {fit}"
    )


def test_a_fresh_run_leaves_every_widget_at_its_start(presenter):
    nb, _ = presenter
    for box in widgets(nb):
        classes = box.get_attribute("class")
        if "minigrad-stepper" in classes:
            state = stepper_state(box)
            assert state["step"] == "0" and state["active"] == [], state
        elif "minigrad-accumulation" in classes:
            rows = explorer_state(box)["rows"]
            assert len(rows) == 1 and rows[0][1] == "start", rows


def test_the_teachers_path_by_clicker(presenter, projector, artifacts):
    """notebooks/README.md's presenter path: the numbers it announces are the ones on screen."""
    nb, _ = presenter
    page, theme = nb.page, projector.theme
    shot = lambda name: artifacts / f"classroom-{theme}-{name}.png"  # noqa: E731
    warmup, tutorial, square, explorer = widgets(nb)

    # 1. the warm-up: PageDown steps, the active cell stays, every box stays where it was
    cell = warmup.evaluate(_CELL_OF)
    select_cell(nb, cell)
    first = stepper_state(warmup)
    geometry = warmup.evaluate(_GEOMETRY)
    states = [first]
    for i in range(int(float(first["steps"]))):
        states.append(press(nb, warmup, "PageDown" if i % 2 == 0 else "ArrowRight"))
        assert page.evaluate(_ACTIVE_CELL, nb.path) == cell, "a key moved the notebook's selection"
        assert warmup.evaluate(_GEOMETRY) == geometry, "a box moved between steps"
        if i == 0:
            check_fits(warmup, shot("warmup-step1"))
    chains = "\n".join(line for s in states for line in s["chain"])
    for announced in (
        "dL/dd = dL/dL · ∂L/∂d = dL/dL · f = (1.0) · (-2.0) = -2.0",
        "dL/da = dL/de · de/da = dL/de · b = (-2.0) · (-3.0) = 6.0",
        "dL/db = dL/de · de/db = dL/de · a = (-2.0) · (2.0) = -4.0",
    ):
        assert announced in chains, f"{announced!r} not shown; shown:\n{chains}"
    final = states[-1]["grads"]
    assert {k: numbers(v) for k, v in final.items()} == {
        "a": [6.0],
        "b": [-4.0],
        "c": [-2.0],
        "f": [4.0],
    }
    back = press(nb, warmup, "PageUp")
    assert int(back["step"]) == int(float(first["steps"])) - 1
    assert press(nb, warmup, "Home")["step"] == "0"

    # 2. the tutorial's graph: steps to the end, the picture fits the projector
    select_cell(nb, tutorial.evaluate(_CELL_OF))
    start = stepper_state(tutorial)
    press(nb, tutorial, "PageDown")
    check_fits(tutorial, shot("tutorial-step1"))
    for _ in range(int(float(start["steps"])) - 1):
        press(nb, tutorial, "PageDown")
    assert set(stepper_state(tutorial)["grads"]) == {"w", "b"}

    # 3. a tensor used twice: 3.0 on each arrow, 3.0 + 3.0 = 6.0 at the leaf
    select_cell(nb, square.evaluate(_CELL_OF))
    s = press(nb, square, "PageDown")
    assert any("(1.0) · (3.0) = 3.0" in line for line in s["chain"]), s["chain"]
    s = press(nb, square, "PageDown")
    assert "3.0 + 3.0 = 6.0" in s["incoming"], s["incoming"]
    assert numbers(s["grads"]["x2"]) == [6.0]
    check_fits(square, shot("square-end"))

    # 4. accumulation: backward twice gives 4 then 8 in inp.grad[0, 0]; zero_() gives 0
    select_cell(nb, explorer.evaluate(_CELL_OF))
    e = press(nb, explorer, "PageDown", explorer_state)
    assert after(e["rows"][-1][2])[0] == 4.0
    e = press(nb, explorer, "PageDown", explorer_state)
    assert after(e["rows"][-1][2])[0] == 8.0
    assert re.search(r"4\.0 .*\+ .*4\.0", e["rows"][-1][2].replace("\n", " "))
    e = press(nb, explorer, "Home", explorer_state)
    assert after(e["rows"][-1][2])[0] == 0.0 and "zero_()" in e["rows"][-1][1]
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(shot("explorer")))


def test_keys_in_a_focused_widget_never_reach_the_notebook(presenter):
    nb, _ = presenter
    page = nb.page
    warmup = widgets(nb)[0]
    cell = warmup.evaluate(_CELL_OF)
    select_cell(nb, cell)
    warmup.locator(".minigrad-reset").first.focus()
    press(nb, warmup, "Home") if stepper_state(warmup)["step"] != "0" else None
    for key in ("ArrowRight", "PageDown", " ", "ArrowLeft"):
        before = stepper_state(warmup)
        page.keyboard.press(key)
        now = wait_until(page, lambda: stepper_state(warmup), lambda s: s != before)
        assert page.evaluate(_ACTIVE_CELL, nb.path) == cell
        assert page.evaluate("() => !!document.activeElement.closest('.minigrad-widget')")
    step = int(settle(page, lambda: stepper_state(warmup), nb.kernel_idle)["step"])
    assert step == 2  # three forward, one back: Space stepped once (not also clicking Reset)


def test_buttons_have_accessible_names(presenter):
    nb, _ = presenter
    box = widgets(nb)[0]
    for css in ("minigrad-reset", "minigrad-prev", "minigrad-next"):
        button = box.locator(f".{css}").first
        assert (button.get_attribute("title") or "").strip() and button.inner_text().strip()
    play = box.locator(".minigrad-play button")
    assert play.count() >= 2
    for i in range(play.count()):
        name = play.nth(i).get_attribute("aria-label") or play.nth(i).get_attribute("title") or ""
        assert name.strip(), "a Play/Pause/Stop button without a name"


WIDGET_LESSONS = sorted(
    set(
        lessons_using("BackwardStepper(")
        + lessons_using("ForwardRecorder(")
        + lessons_using("AccumulationExplorer(")
    )
)
DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("lesson", WIDGET_LESSONS, ids=[p.stem for p in WIDGET_LESSONS])
def test_every_widget_of_every_lesson_fits_the_screen(lesson, projector, artifacts):
    """At the projector's size and at 1280×800: no widget scrolls sideways, every picture lies
    inside its cell, and a stepper's arithmetic is on screen together with its picture."""
    path = f"notebooks/{lesson.name}"
    nb = projector.runs.get(path)
    if nb is None or not projector.is_open(path):
        if path in projector.pending:  # started with the page: wait for what is left of it
            projector.pending.discard(path)
            nb = projector.finish_background(path)
        else:
            nb = projector.open(path)
            nb.run_all()
        projector.runs[path] = nb
    nb.activate()  # (a lesson the other theme's turn ran is shown again)
    assert _labpage.problems_in(nb.wait_widgets()) == []
    page = nb.page
    try:
        for size_name, size in (("projector", PROJECTOR), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            _labpage.wait_layout(page)
            for k, box in enumerate(widgets(nb)):
                if box.locator(".minigrad-picture svg").count():
                    check_fits(
                        box, artifacts / f"fit-{projector.theme}-{size_name}-{lesson.stem}-{k}.png"
                    )
                else:
                    box.scroll_into_view_if_needed()
                    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), (
                        "scrolls sideways"
                    )
    finally:
        page.set_viewport_size(PROJECTOR)
