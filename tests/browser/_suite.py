"""Paths and constants the browser tests share (importable from tests, unlike a conftest)."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NOTEBOOKS = REPO / "notebooks"
FIGURES = REPO / "figures"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}


def lesson_paths():
    """The lesson notebooks, in order: notebooks/[0-9]*.ipynb."""
    return sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))


def artifacts_root():
    """``$MINIGRAD_ARTIFACTS/browser``, default ``<repo>/test-artifacts/browser``."""
    root = os.environ.get("MINIGRAD_ARTIFACTS") or str(REPO / "test-artifacts")
    return Path(root).resolve() / "browser"


def committed(path):
    """The committed notebook (with its outputs) as an nbformat node."""
    import nbformat

    return nbformat.read(str(path), as_version=4)


WIDGET_METADATA = "minigrad-widget"  # a minigrad widget's output says so in its metadata


def widget_outputs(nb):
    """[(cell index, output)] of the notebook's outputs made by a widget: a live widget view, or
    a minigrad widget's static picture (``make notebooks`` keeps only that in committed lessons)."""
    return [
        (i, out)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", ())
        if WIDGET_MIME in out.get("data", {}) or WIDGET_METADATA in out.get("metadata", {})
    ]


def _sources(path):
    import json

    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]


def lessons_using(call):
    """Lessons with a code cell containing ``call`` (e.g. ``"BackwardStepper("``); read with the
    json module, so collecting the tests needs no Jupyter package."""
    return [p for p in lesson_paths() if any(call in s for s in _sources(p))]


INTERACTIVE = ("BackwardStepper(", "AccumulationExplorer(")


def has_interactive_widget(path):
    return any(call in s for s in _sources(path) for call in INTERACTIVE)


def write_notebook(folder, name, sources):
    """Write a notebook of code cells (no outputs); return its path relative to the server root
    (``folder`` must sit directly under it)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(Path(folder) / name))
    return f"{Path(folder).name}/{name}"
