"""The committed lessons exported with ``jupyter nbconvert --to html``, opened OFFLINE in Chromium.

Decision (static export): we test the export exactly as a student or a course page makes it, with
nbconvert's default ``lab`` template and no extra options. That template always references three
scripts on cdnjs.cloudflare.com (require.js, MathJax 2, and Mermaid, whose import only runs when
a Mermaid diagram exists) and, for notebooks that store widget state, the widget manager on
unpkg.com. We neither strip those tags nor swap the template: they only add typesetting and live
widgets when a network is there. What must never need the network is a picture: every graph,
plot and widget state is in the page itself (``data:`` URIs from the outputs' image/svg+xml and
image/png, and ``../figures/`` files next to it). So, offline, this test

* aborts and records every request that is not ``file:`` or ``data:``; the known template scripts
  above (``TEMPLATE_SCRIPTS``, script requests only) are tolerated, anything else (an image, a
  stylesheet, a font, a fetch, any other script) fails the test;
* requires every ``<img>`` to have loaded with a size, every output box to show something, and
  every widget output of the committed notebook to appear as the very picture (SVG) or HTML
  fallback its display bundle carries (what the widget showed when the lesson was run);
* fails on uncaught page errors and console errors other than the aborted requests.

Offline consequence, accepted: LaTeX stays as ``$...$`` source text (MathJax did not load).
"""

import base64
import re
from urllib.parse import unquote, urlsplit

import pytest

from _suite import VIEWPORT, committed, lesson_paths, widget_outputs

pytestmark = pytest.mark.browser
LESSONS = lesson_paths()

# Script URLs nbconvert's lab template writes into every page (see the module docstring).
TEMPLATE_SCRIPTS = (
    re.compile(r"^https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[\d.]+/require\.min\.js$"),
    re.compile(r"^https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[\d.]+/latest\.js\?config="),
    re.compile(r"^https://cdnjs\.cloudflare\.com/ajax/libs/mermaid(-layout-elk)?/[\d.]+/"),
    re.compile(r"^https://unpkg\.com/@jupyter-widgets/html-manager@"),
)


@pytest.fixture(scope="session")
def static_site(static_export):
    """``jupyter nbconvert --to html`` of every committed lesson and of ``write_broken``'s
    notebook, in one run started early in the session (see ``_static.py``)."""
    return static_export.wait()


@pytest.fixture(scope="session")
def offline(chromium):
    """A browser context where only file: and data: requests succeed."""
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.requests = []

    def route(route):
        scheme = urlsplit(route.request.url).scheme
        if scheme in ("file", "data"):
            route.continue_()
        else:
            context.requests.append((route.request.url, route.request.resource_type))
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


_PAGE_REPORT = """
() => {
  const boxes = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
  const cells = {};
  for (const cell of document.querySelectorAll('.jp-Cell[id^="cell-id="]')) {
    cells[cell.id.slice('cell-id='.length)] = Array.from(
        cell.querySelectorAll('.jp-OutputArea-output')).map(o => ({
      imgs: Array.from(o.querySelectorAll('img')).map(i => i.getAttribute('src') || ''),
      html: o.innerHTML.length,
      text: o.innerText.trim().slice(0, 200),
      widget: !!o.querySelector('script[type="application/vnd.jupyter.widget-view+json"]'),
    }));
  }
  return {
    images: Array.from(document.images).map(i => ({
      src: (i.getAttribute('src') || '').slice(0, 120), complete: i.complete,
      natural: i.naturalWidth, width: i.getBoundingClientRect().width,
      height: i.getBoundingClientRect().height})),
    empty: boxes.filter(o => {
      const r = o.getBoundingClientRect();
      const shows = o.innerText.trim() || o.querySelector('img, svg, canvas, table, video');
      return !shows || r.width < 2 || r.height < 2;
    }).map(o => o.outerHTML.slice(0, 300)),
    cells,
  };
}
"""


def svg_of(src):
    """The SVG text inside a ``data:image/svg+xml`` URI (base64 or percent-encoded)."""
    head, _, body = src.partition(",")
    if not head.startswith("data:image/svg+xml"):
        return None
    if head.endswith(";base64"):
        return base64.b64decode(body).decode("utf-8")
    return unquote(body)


def static_problems(context, page_file, nb, screenshot=None):
    """Everything wrong with one exported page opened offline (empty list: nothing)."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    # an aborted request is also logged as a console error: it is judged as a request below
    page.on(
        "console",
        lambda m: (
            errors.append(f"console error: {m.text}")
            if m.type == "error" and m.text != "Failed to load resource: net::ERR_FAILED"
            else None
        ),
    )
    start = len(context.requests)
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(200)  # module scripts and image decoding after "load"
        report = page.evaluate(_PAGE_REPORT)
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.close()

    problems = [
        f"asked the network for {url} ({kind})"
        for url, kind in context.requests[start:]
        if not (kind == "script" and any(p.search(url) for p in TEMPLATE_SCRIPTS))
    ]
    problems += errors
    problems += [
        f"picture not loaded or without size: {i['src']}"
        for i in report["images"]
        if not i["complete"] or i["natural"] == 0 or i["width"] < 2 or i["height"] < 2
    ]
    problems += [f"output box shows nothing: {html}" for html in report["empty"]]
    # every widget output appears as the static state its display bundle carries
    for index, output in widget_outputs(nb):
        cell = nb.cells[index]
        shown = report["cells"].get(cell.get("id"), [])
        position = cell.outputs.index(output)
        if position >= len(shown):
            problems.append(f"cell {index}: the export lost the widget's output")
            continue
        box = shown[position]
        if box["widget"]:
            problems.append(
                f"cell {index}: exported as a live widget (the notebook stores widget "
                f"state), which shows nothing without unpkg.com"
            )
        svg = output["data"].get("image/svg+xml")
        if svg is not None:
            if svg not in [svg_of(src) for src in box["imgs"]]:
                problems.append(f"cell {index}: the widget's picture is not in the export")
        elif not ("text/html" in output["data"] and box["text"]):
            problems.append(f"cell {index}: a widget output with neither picture nor HTML")
    return problems


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_static_export_shows_every_picture_offline(lesson, static_site, offline, artifacts):
    page_file = static_site / f"{lesson.stem}.html"
    assert page_file.is_file()
    problems = static_problems(
        offline,
        page_file,
        committed(static_site / lesson.name),
        artifacts / f"static-{lesson.stem}.png",
    )
    assert problems == [], f"{page_file.name} offline:\n  " + "\n  ".join(problems)


def test_static_checks_catch_live_widgets_outside_pictures_and_broken_images(static_site, offline):
    """The checks above must be able to fail: the page of ``_static.write_broken`` trips each."""
    problems = "\n".join(
        static_problems(
            offline, static_site / "broken.html", committed(static_site / "broken.ipynb")
        )
    )
    assert "asked the network for https://example.com/outside.png (image)" in problems
    assert "picture not loaded or without size: ../figures/no-such-figure.svg" in problems
    assert "cell 1: exported as a live widget" in problems
    assert "cell 1: the widget's picture is not in the export" in problems
    assert "output box shows nothing" in problems
    assert "unpkg.com" not in problems.replace("without unpkg.com", "")  # a tolerated script
