"""Every lesson, run top to bottom in JupyterLab in Chromium: no error, every widget drawn.

A screenshot of each lesson after the run goes to the artifacts folder (printed at the end).
"""

import pytest

import _labpage
from _suite import WIDGET_MIME, committed, has_interactive_widget, lesson_paths, widget_outputs

pytestmark = pytest.mark.browser
LESSONS = lesson_paths()


@pytest.fixture(scope="module", autouse=True)
def lessons_in_the_background(request, lab_app, notebook_runs):
    """Start the runs of the lessons this session selected here, two at a time in the background
    (not shown): each test then waits only for what is left of its lesson's run."""
    selected = [
        item.callspec.params["lesson"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    ]
    notebook_runs.background(f"notebooks/{lesson.name}" for lesson in selected)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_clean_with_every_widget_rendered(
    lesson, lab, notebook_runs, artifacts, lab_root
):
    # lessons with a stepper or explorer stay open for test_browser_widgets.py
    nb, cells, _ = notebook_runs.run(
        f"notebooks/{lesson.name}", keep=has_interactive_widget(lesson)
    )
    nb.screenshot(artifacts / f"lesson-{lesson.stem}.png")
    problems = _labpage.problems_in(cells)
    assert problems == [], f"{lesson.name} after run-all:\n  " + "\n  ".join(problems)
    assert nb.error_nodes() == 0, "the page shows stderr or a traceback"
    # the run shows a live widget wherever the committed lesson has one (not a text fallback)
    live = sum(WIDGET_MIME in out["mimes"] for cell in cells for out in cell["outputs"])
    assert live == len(widget_outputs(committed(lab_root / "notebooks" / lesson.name))), (
        f"{live} widget outputs after the run, the committed lesson has a different number"
    )
