"""The static HTML export of the lessons for test_browser_static_export.py, started early.

``jupyter nbconvert --to html`` of every committed lesson (and of a notebook made to fail the
checks) runs in one process, in the background from the first browser test on (conftest.py starts
it when a static export test is selected): the export costs seconds of nbconvert start-up and
templating, which overlap the other browser tests instead of adding to them.
"""

import shutil
import subprocess
import sys

from _suite import FIGURES, WIDGET_MIME, lesson_paths


def write_broken(path):
    """A notebook whose export must fail the checks: a widget output exported live (its state is
    stored), a picture from another host and a missing figure."""
    import nbformat

    v4 = nbformat.v4
    model = "0123456789abcdef0123456789abcdef"
    widget = v4.new_output(
        "display_data",
        data={
            WIDGET_MIME: {"model_id": model, "version_major": 2, "version_minor": 0},
            "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
            '<rect width="40" height="20"/></svg>',
            "text/plain": "Button()",
        },
    )
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell(
                '<img src="https://example.com/outside.png" alt="outside"> '
                "![missing](../figures/no-such-figure.svg)"
            ),
            v4.new_code_cell("button", outputs=[widget]),
        ]
    )
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                model: {
                    "model_name": "ButtonModel",
                    "model_module": "@jupyter-widgets/controls",
                    "model_module_version": "2.0.0",
                    "state": {"description": "Go"},
                }
            },
        }
    }
    nbformat.write(nb, str(path))


class StaticExport:
    """The nbconvert run into ``site`` (a temp folder: ``notebooks/`` with figures/ beside it,
    as in the repository, for ``../figures/`` links)."""

    def __init__(self, site):
        self.site = site
        notebooks = site / "notebooks"
        notebooks.mkdir()
        lessons = lesson_paths()
        for lesson in lessons:
            shutil.copy2(lesson, notebooks / lesson.name)
        if FIGURES.is_dir():
            shutil.copytree(FIGURES, site / "figures")
        write_broken(notebooks / "broken.ipynb")
        self.log = site / "nbconvert.log"
        with open(self.log, "wb") as log:
            # one nbconvert process for every page (its start-up costs more than a page)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html"]
                + [p.name for p in lessons]
                + ["broken.ipynb"],
                cwd=notebooks,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait(self, timeout=300):
        """The folder of the exported pages once nbconvert has ended well."""
        code = self.proc.wait(timeout=timeout)
        assert code == 0, f"nbconvert failed:\n{self.log.read_text(errors='replace')[-3000:]}"
        return self.site / "notebooks"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
