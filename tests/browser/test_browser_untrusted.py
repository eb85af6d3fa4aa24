"""A lesson nobody trusted (Binder, a JupyterHub, a fresh clone without ``make lab``) shows its
pictures as images, not as one line of text.

JupyterLab renders only safe output types in an untrusted notebook: ``image/svg+xml`` is not one,
``image/png`` is. The test server's notebook-signature database lives in a temp folder, so every
notebook it opens is untrusted; the test checks that too. The lesson is executed here with this
checkout's code, as ``make notebooks`` would (its live widget views dropped), so the test does not
depend on when the committed outputs were last produced; a copy without the PNGs shows that the
check catches the text fallback.
"""

import sys

import nbformat
import pytest

import _labpage
from _suite import REPO

pytestmark = pytest.mark.browser
LESSON = "05_dynamic_graphs.ipynb"  # draw_graph, a ForwardRecorder and a BackwardStepper

_TRUST = (
    _labpage._PANEL
    + """
(path) => {
  const cells = panelFor(path).content.model.cells;
  const trusted = [];
  for (let i = 0; i < cells.length; i++) if (cells.get(i).trusted) trusted.push(i);
  return trusted;
}"""
)

_IMAGES = (
    _labpage._PANEL
    + """
(path) => Array.from(panelFor(path).content.node.querySelectorAll(
    ".jp-OutputArea-output[data-mime-type='image/png'] img")).map(img => ({
      loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth,
      src: img.getAttribute('src').slice(0, 22)}))"""
)


@pytest.fixture(scope="module")
def fresh_lessons(lab_root):
    """The lesson freshly executed (``fresh/``, beside ``figures/``) and the same outputs with
    their PNGs removed (``fresh/no_png_…``): neither is trusted."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import run_notebooks
    finally:
        sys.path.pop(0)
    folder = lab_root / "fresh"
    folder.mkdir(exist_ok=True)
    path = folder / LESSON
    path.write_bytes((REPO / "notebooks" / LESSON).read_bytes())
    run_notebooks.execute(path)
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", ()):
            output.get("data", {}).pop("image/png", None)
    nbformat.write(nb, str(folder / f"no_png_{LESSON}"))
    return f"fresh/{LESSON}", f"fresh/no_png_{LESSON}", nbformat.read(str(path), as_version=4)


def picture_outputs(cells):
    return [out for cell in cells for out in cell["outputs"] if "image/svg+xml" in out["mimes"]]


def test_untrusted_lesson_shows_every_picture_as_an_image(lab, fresh_lessons, artifacts):
    path, _, executed = fresh_lessons
    stored = sum(
        "image/svg+xml" in out.get("data", {})
        for c in executed.cells
        for out in c.get("outputs", ())
    )
    assert stored >= 4, "the lesson should have several pictures"
    nb = lab.open(path)
    assert nb.page.evaluate(_TRUST, path) == [], "the server should see this notebook as untrusted"
    pictures = picture_outputs(nb.report())
    nb.screenshot(artifacts / f"untrusted-{LESSON[:-6]}.png")
    assert len(pictures) == stored
    assert all("image/png" in out["mimes"] for out in pictures)
    shown = [out["domMime"] for out in pictures]
    assert shown == ["image/png"] * stored, f"untrusted JupyterLab rendered {shown}"
    images = nb.page.evaluate(_IMAGES, path)
    assert len(images) == stored
    assert all(
        i["loaded"] and i["width"] > 100 and i["src"] == "data:image/png;base64," for i in images
    )
    assert not any("GraphPicture(" in out["domText"] for out in pictures)


def test_without_the_png_untrusted_lesson_shows_text(lab, fresh_lessons):
    _, path, _ = fresh_lessons
    nb = lab.open(path)
    pictures = picture_outputs(nb.report())
    assert pictures and {out["domMime"] for out in pictures} == {"text/plain"}
    assert any("GraphPicture(" in out["domText"] for out in pictures)
