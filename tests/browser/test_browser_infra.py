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
from _suite import write_notebook
from _widgets import wait_until

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent


def alive(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


MECHANISMS = ("pdeathsig", "watchdog")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
def test_killed_test_process_leaves_no_server_or_kernel(tmp_path, jupyter_env):
    """For each way of tying the server to its parent (both at once, to save time): start the
    fixture's server code in a child Python with a running kernel, SIGKILL that child (as a
    killed pytest would be), and expect the server's process group, its kernel and the watchdog
    to be gone within a few seconds."""
    children, infos = {}, {}
    try:
        for mechanism in MECHANISMS:
            root, work = tmp_path / mechanism / "root", tmp_path / mechanism / "work"
            root.mkdir(parents=True)
            children[mechanism] = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "_labserver.py"),
                    str(root),
                    str(work),
                    "--kernel",
                    "--mechanism",
                    mechanism,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        for mechanism, child in children.items():
            line = child.stdout.readline()  # one JSON line once server and kernel are up
            assert line, f"{mechanism}: the child printed nothing:\n{child.stderr.read()}"
            info = infos[mechanism] = json.loads(line)
            assert _labserver.group_alive(info["pgid"])
            assert info["pgid"] != os.getpgid(0), "the server must lead a group of its own"
            assert info["kernel_pids"] and all(alive(p) for p in info["kernel_pids"])
            assert (info["watchdog"] is not None) == (mechanism == "watchdog")
        for child in children.values():
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)

        def survivors():
            found = []
            for mechanism, info in infos.items():
                if _labserver.group_alive(info["pgid"]):
                    found.append(f"{mechanism}: the server's process group")
                found += [f"{mechanism}: kernel {p}" for p in info["kernel_pids"] if alive(p)]
                if info["watchdog"] and alive(info["watchdog"]):
                    found.append(f"{mechanism}: the watchdog")
            return found

        deadline = time.monotonic() + 8.0
        while survivors() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert survivors() == [], "outlived the killed test process"
    finally:  # clean up even when an assertion failed
        for child in children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
        for info in infos.values():
            try:
                os.killpg(info["pgid"], signal.SIGKILL)
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


def test_checks_catch_errors_stderr_broken_widgets_and_outside_requests(lab, lab_root):
    """Each check must be able to fail: a notebook with an exception, stderr, a widget whose
    model does not exist, a picture and a WebSocket to another host trips every one of them."""
    path = write_notebook(
        lab_root / "scratch",
        "broken.ipynb",
        [
            "import sys; print('careful', file=sys.stderr)",
            "from IPython.display import display, HTML\n"
            "display({'application/vnd.jupyter.widget-view+json':\n"
            "         {'model_id': 'no-such-model', 'version_major': 2, 'version_minor': 0}},\n"
            "        raw=True)",
            "display(HTML('<img src=\"https://example.com/picture.png\">'))\n"
            "from IPython.display import Javascript\n"
            "display(Javascript('new WebSocket(\"wss://example.com/socket\")'))",
            "1 / 0",  # last: cells queued after an error may or may not be aborted by ipykernel
        ],
    )
    nb = lab.open(path)
    nb.run_all()
    cells = nb.wait_widgets()
    problems = "\n".join(_labpage.problems_in(cells))
    assert "stderr: 'careful\\n'" in problems
    assert "ZeroDivisionError: division by zero" in problems
    assert "widget not rendered: 'Error displaying widget: model not found'" in problems
    assert nb.error_nodes() == 2  # the stderr text and the traceback
    expected = {
        "image": lambda p: "https://example.com/picture.png (image)" in p,
        "websocket": lambda p: "wss://example.com/socket (websocket)" in p,
        "console": lambda p: p.startswith("console error:"),
    }
    recorded = wait_until(
        lab.page,
        lambda: lab.problems_since(lab.guard_mark),
        lambda got: all(any(map(test, got)) for test in expected.values()),
        timeout=10.0,
    )
    lab.guard_mark = lab.mark()  # expected: do not fail this test for them
    nb.close()
