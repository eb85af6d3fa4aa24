"""The machinery of the browser suite itself: no orphans, and checks that really catch problems.

These run on small notebooks the tests write into the server's ``scratch/`` folder, so they work
(and keep the machinery honest) whatever state the lessons are in.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import _labpage
import _labserver

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent


def write_notebook(folder, name, sources):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(Path(folder) / name))
    return f"{Path(folder).name}/{name}"


def alive(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
@pytest.mark.parametrize("mechanism", ["pdeathsig", "watchdog"])
def test_killed_test_process_leaves_no_server_or_kernel(mechanism, tmp_path, jupyter_env):
    """Start the fixture's server code in a child Python with a running kernel, SIGKILL that
    child (as a killed pytest would be), and expect the server's whole process group and the
    kernel to be gone within a few seconds."""
    root, work = tmp_path / "root", tmp_path / "work"
    root.mkdir()
    child = subprocess.Popen(
        [sys.executable, str(HERE / "_labserver.py"), str(root), str(work), "--kernel",
         "--mechanism", mechanism],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = None
    try:
        line = child.stdout.readline()  # one JSON line once server and kernel are up
        assert line, f"the child printed nothing; stderr:\n{child.stderr.read()}"
        info = json.loads(line)
        assert _labserver.group_alive(info["pgid"])
        assert info["kernel_pids"] and all(alive(p) for p in info["kernel_pids"])
        assert info["pgid"] != os.getpgid(0), "the server must lead a group of its own"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 8.0
        while time.monotonic() < deadline:
            if not _labserver.group_alive(info["pgid"]) and \
                    not any(alive(p) for p in info["kernel_pids"]):
                break
            time.sleep(0.1)
        assert not _labserver.group_alive(info["pgid"]), "the server outlived the test process"
        assert not any(alive(p) for p in info["kernel_pids"]), "a kernel outlived the server"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if info is not None:  # clean up even when the assertion failed
            for target in [info["pgid"]]:
                try:
                    os.killpg(target, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in info["kernel_pids"] + ([info["watchdog"]] if info["watchdog"] else []):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_server_is_local_and_needs_the_token(lab_server):
    import urllib.error
    import urllib.request
    assert lab_server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{lab_server.url}/api/status?token={lab_server.token}") as r:
        assert r.status == 200
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{lab_server.url}/api/contents")
    assert denied.value.code == 403


WIDGET_CELLS = [
    "import ipywidgets as w\n"
    "out = w.HTML('<svg width=\"60\" height=\"20\"><g class=\"node\"><text x=\"2\" y=\"14\">0"
    "</text></g></svg>')\n"
    "out.add_class('scratch-view')\n"
    "step = w.IntSlider(0, 0, 3, description='step')\n"
    "go = w.Button(description='Next')\n"
    "go.on_click(lambda _: setattr(step, 'value', min(step.value + 1, 3)))\n"
    "step.observe(lambda ch: setattr(out, 'value', out.value.replace(\n"
    "    f'>{ch[\"old\"]}</text>', f'>{ch[\"new\"]}</text>')), 'value')\n"
    "w.VBox([go, step, out])",
    "print('plain output')",
]


def test_scratch_widgets_render_and_respond(lab, lab_root, artifacts):
    """The happy path of the machinery: run all, clean report, widgets rendered and live."""
    path = write_notebook(lab_root / "scratch", "widgets.ipynb", WIDGET_CELLS)
    nb = lab.open(path)
    ok, _ = nb.run_all()
    assert ok
    cells = nb.wait_widgets()
    assert _labpage.problems_in(cells) == []
    assert nb.error_nodes() == 0
    assert [c["executionCount"] for c in cells] == [1, 2]
    view = nb.node.locator(".scratch-view svg g.node text")
    assert view.text_content() == "0"
    nb.node.locator("button.widget-button", has_text="Next").click()
    view.filter(has_text="1").wait_for()
    nb.screenshot(artifacts / "scratch-widgets.png")
    nb.close()


def test_checks_catch_errors_stderr_broken_widgets_and_outside_requests(lab, lab_root):
    """Each check must be able to fail: a notebook with an exception, stderr, a widget whose
    model does not exist and a picture from another host trips every one of them."""
    path = write_notebook(lab_root / "scratch", "broken.ipynb", [
        "import sys; print('careful', file=sys.stderr)",
        "from IPython.display import display, HTML\n"
        "display({'application/vnd.jupyter.widget-view+json':\n"
        "         {'model_id': 'no-such-model', 'version_major': 2, 'version_minor': 0}},\n"
        "        raw=True)",
        "display(HTML('<img src=\"https://example.com/picture.png\">'))",
        "1 / 0",  # last: cells queued after an error may or may not be aborted by ipykernel
    ])
    nb = lab.open(path)
    nb.run_all()
    cells = nb.wait_widgets()
    problems = "\n".join(_labpage.problems_in(cells))
    assert "stderr: 'careful\\n'" in problems
    assert "ZeroDivisionError: division by zero" in problems
    assert "widget not rendered: 'Error displaying widget: model not found'" in problems
    assert nb.error_nodes() == 2  # the stderr text and the traceback
    lab.page.wait_for_timeout(300)  # let the image request and the console error arrive
    recorded = lab.problems_since(lab.guard_mark)
    assert any("https://example.com/picture.png" in p for p in recorded), recorded
    assert any(p.startswith("console error:") for p in recorded), recorded
    lab.guard_mark = lab.mark()  # expected: do not fail this test for them
    nb.close()
