"""Real-browser tests: JupyterLab in headless Chromium, driven by Playwright (sync API).

One JupyterLab server and one Chromium for the whole session, on temporary copies of notebooks/
and figures/; every JupyterLab setting, runtime file and workspace lives in a temp folder.

When Chromium, Playwright or JupyterLab is missing the tests are skipped with the reason, unless
``MINIGRAD_REQUIRE_BROWSER=1`` (CI sets it): then they fail. Nothing here imports Playwright at
module level, so collecting the suite never needs it.

Every test that uses the ``lab`` fixture also fails when, during the test, the page sent a request
anywhere but the server on 127.0.0.1 (the request is aborted and recorded) or logged a console
error that is not documented noise (see ``_labpage.CONSOLE_NOISE``).

Screenshots go to ``$MINIGRAD_ARTIFACTS/browser`` (default ``test-artifacts/browser`` in the
repository); the folder is printed at the end of the run.
"""

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helper modules next to this file, in any import mode
    sys.path.insert(0, str(HERE))

from _suite import (  # noqa: E402  (after the sys.path line above)
    CHROMIUM_ARGS,
    FIGURES,
    NOTEBOOKS,
    VIEWPORT,
    artifacts_root,
)

REQUIRE_BROWSER = os.environ.get("MINIGRAD_REQUIRE_BROWSER") == "1"


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(what):
    message = f"{what}, so the browser tests cannot run"
    if REQUIRE_BROWSER:
        pytest.fail(f"MINIGRAD_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


# -- requirements ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def jupyter_env():
    """JupyterLab must be importable (it runs in this Python)."""
    for module in ("jupyterlab", "ipykernel", "ipywidgets", "nbformat"):
        if importlib.util.find_spec(module) is None:
            _missing(f"the Python package {module!r} is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="session")
def browser_env(jupyter_env):
    """Playwright (Python package) and a Chromium executable on PATH."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        _missing(f"Playwright cannot be imported ({error}; pip install -e '.[test]')")
    if chromium_path() is None:
        _missing("no `chromium` executable is on PATH (Debian: apt-get install chromium)")
    return chromium_path()


# -- server, browser, page ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def lab_root(tmp_path_factory, jupyter_env):
    """A temp copy of notebooks/ and figures/ side by side (lessons link ../figures/...), and
    an empty ``scratch/`` for notebooks the tests write themselves."""
    root = tmp_path_factory.mktemp("lab-root")

    def ignore(folder, names):  # only files and folders (a running kernel leaves sockets)
        return {
            n
            for n in names
            if n in (".ipynb_checkpoints", "__pycache__")
            or not (
                os.path.isfile(os.path.join(folder, n)) or os.path.isdir(os.path.join(folder, n))
            )
        }

    for source in (NOTEBOOKS, FIGURES):
        if source.is_dir():
            shutil.copytree(source, root / source.name, ignore=ignore)
        else:
            (root / source.name).mkdir()
    (root / "scratch").mkdir()
    return root


@pytest.fixture(scope="session")
def lab_server(lab_root, tmp_path_factory, jupyter_env):
    import _labserver

    server = _labserver.start_lab(lab_root, tmp_path_factory.mktemp("lab-work"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium(browser_env):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=browser_env, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def lab_app(chromium, lab_server):
    """JupyterLab booted once in one page; tests open and close notebooks in it."""
    import _labpage

    (artifacts_root() / "console-noise.txt").unlink(missing_ok=True)
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    lab = _labpage.LabPage(context, lab_server)
    lab.boot()
    yield lab
    context.close()
    if lab.noise:  # what the documented filters hid, for a person to check now and then
        folder = artifacts_root()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "console-noise.txt").write_text("\n".join(lab.noise) + "\n")


class NotebookRuns:
    """Notebooks opened and run once, and kept open for the next tests that click in them (a run
    costs a kernel start and every cell; the widget tests need the state the run left).

    ``background(paths)`` starts their runs at once, two at a time, without showing them (the
    lesson tests do: a kernel start and a run-all are mostly waiting, and one lesson's run then
    overlaps the checks and screenshot of the one before); ``run`` waits for such a run."""

    def __init__(self, lab):
        self.lab, self.runs, self.kept, self.pending = lab, {}, set(), set()

    def background(self, paths):
        todo = [p for p in paths if p not in self.pending and not self.lab.is_open(p)]
        if todo:
            self.lab.start_in_background(todo)
            self.pending.update(todo)

    def run(self, path, keep=False):
        """(Notebook, report, seconds) for ``path`` (relative to the server root), run now
        unless still open from an earlier test or run in the background; ``keep``: leave it open
        after this test."""
        if path in self.pending:
            self.pending.discard(path)
            started = time.monotonic()
            nb = self.lab.finish_background(path)
            nb.activate()
            self.runs[path] = (nb, nb.wait_widgets(), time.monotonic() - started)
        elif path in self.runs and self.lab.is_open(path):
            self.runs[path][0].activate()
        else:
            nb = self.lab.open(path)
            _, seconds = nb.run_all()
            self.runs[path] = (nb, nb.wait_widgets(), seconds)
        if keep:
            self.kept.add(path)
        return self.runs[path]

    def release(self, path):
        """Close it at the start of the next test."""
        self.kept.discard(path)
        self.runs.pop(path, None)


@pytest.fixture(scope="session")
def notebook_runs(lab_app):
    return NotebookRuns(lab_app)


@pytest.fixture
def lab(lab_app, notebook_runs):
    """The shared JupyterLab page, emptied (but for notebooks kept for the next tests); problems
    it records during the test fail the test (see ``pytest_runtest_call`` below)."""
    lab_app.reset(keep=sorted(notebook_runs.kept | notebook_runs.pending))
    # notebooks running in the background: what the page did since the last test's check
    # counts for this test (nothing falls between two tests' windows)
    lab_app.open_guard(notebook_runs.pending, since_last_check=bool(notebook_runs.pending))
    yield lab_app


@pytest.fixture(scope="session")
def static_export(tmp_path_factory, jupyter_env):
    """The nbconvert run of test_browser_static_export.py (``_static.py``), started once."""
    import _static

    job = _static.StaticExport(tmp_path_factory.mktemp("static"))
    yield job
    job.stop()


@pytest.fixture(scope="session", autouse=True)
def _static_export_early(request):
    """Start the static export with the first browser test when a static export test is selected
    (it then runs while the others do)."""
    if any("test_browser_static_export.py" in item.nodeid for item in request.session.items):
        request.getfixturevalue("static_export")


@pytest.fixture(scope="session")
def artifacts():
    folder = artifacts_root()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    funcargs = getattr(item, "funcargs", {})
    lab = funcargs.get("lab") or funcargs.get("projector_page")  # the page this test drives
    try:
        result = yield
    except BaseException as error:  # the test failed anyway: say what the page did, too
        problems = _guard_problems(lab)
        if problems and hasattr(error, "add_note"):
            error.add_note("the page also did something forbidden:\n  " + "\n  ".join(problems))
        raise
    problems = _guard_problems(lab)
    if problems:
        pytest.fail("the page did something forbidden:\n  " + "\n  ".join(problems), pytrace=False)
    return result


def _guard_problems(lab):
    if lab is None:
        return []
    problems = lab.problems_since(lab.guard_mark)
    lab.checked_mark = lab.mark()
    if problems and lab.background_note:
        problems.append(f"({lab.background_note})")
    return problems


def pytest_terminal_summary(terminalreporter):
    folder = artifacts_root()
    ran = any(
        report.nodeid.startswith("tests/browser") or "/browser/" in report.nodeid
        for key in ("passed", "failed")
        for report in terminalreporter.stats.get(key, ())
    )
    if ran and folder.is_dir():
        terminalreporter.write_line(f"browser test screenshots and pages: {folder}")
