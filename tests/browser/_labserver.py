"""Start and stop a throw-away JupyterLab server for the browser tests.

Everything the server writes lives in one temporary folder (config, runtime, IPython, settings,
workspaces); it listens on 127.0.0.1 only, on a free port, with a random token. It runs in its own
session (process group) and dies with the process that started it:

* on Linux the kernel sends it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``, set in
  the child between fork and exec; strictly, when the parent *thread* that started it ends, so
  start it from pytest's main thread, as the session fixture does);
* elsewhere (or when asked, to test it) a tiny watchdog process polls the parent and kills the
  server's process group when the parent is gone.

Kernels are started by the server in sessions of their own; ipykernel's parent poller ends each
of them within about a second once the server is gone (jupyter_client passes JPY_PARENT_PID).

Run as a script (``python _labserver.py ROOT WORKDIR [--kernel] [--mechanism M]``) it starts a
server, prints one JSON line describing it and then waits forever: the no-orphan test kills such a
process with SIGKILL and checks that nothing it started survives.
"""

import ctypes
import ctypes.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT = 90.0  # seconds; a cold start on a busy 2-core machine can be slow
PR_SET_PDEATHSIG = 1

# user settings written before the server starts (JupyterLab reads them at page load)
USER_SETTINGS = {
    # no "would you like news?" toast, no update check: no request leaves 127.0.0.1
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # every cell in the DOM (the default windowing leaves far-away cells unrendered)
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # the temp copy is never written behind the test's back
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _set_parent_death_signal():  # runs in the child, between fork and exec
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        os._exit(121)
    # the parent may already have died between fork and prctl
    if os.getppid() == 1:
        os._exit(122)


WATCHDOG = r"""
import os, signal, sys, time
parent, group = int(sys.argv[1]), int(sys.argv[2])
while True:
    try:
        os.kill(parent, 0)          # is the test process still there?
    except ProcessLookupError:
        break
    try:
        os.killpg(group, 0)         # is the server still there?
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.25)
try:
    os.killpg(group, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


def default_mechanism():
    return "pdeathsig" if sys.platform.startswith("linux") else "watchdog"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running JupyterLab: ``url`` (no trailing slash), ``token``, ``proc``, ``pgid``."""

    def __init__(self, proc, port, token, root_dir, log_path, watchdog=None):
        self.proc, self.port, self.token = proc, port, token
        self.pgid = proc.pid  # start_new_session: the server leads its own group
        self.root_dir, self.log_path, self.watchdog = Path(root_dir), Path(log_path), watchdog
        self.url = f"http://127.0.0.1:{port}"

    # -- REST ----------------------------------------------------------------------------------
    def api(self, path, method="GET", body=None, timeout=10.0):
        """Call the REST API with the token; returns (status, parsed JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, None

    def lab_url(self, path="lab"):
        return f"{self.url}/{path}?token={self.token}"

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kernel_pids(self):
        """Process ids of the server's kernels (children in sessions of their own)."""
        pids = []
        for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.proc.pid and b"ipykernel" in command:
                pids.append(int(entry.name))
        return pids

    # -- stopping ------------------------------------------------------------------------------
    def stop(self, timeout=10.0):
        """POST /api/shutdown (ends kernels too), then SIGTERM and SIGKILL the process group."""
        if self.proc.poll() is None:
            try:
                self.api("/api/shutdown", method="POST", timeout=5.0)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and group_alive(self.pgid):
                self.proc.poll()  # reap the leader so the group can vanish
                time.sleep(0.05)
        self.proc.poll()
        if self.watchdog is not None and self.watchdog.poll() is None:
            self.watchdog.kill()
            self.watchdog.wait()


def group_alive(pgid):
    """True while any process of group ``pgid`` exists (zombies of it count as gone)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if Path("/proc").is_dir():  # a zombie leader still answers killpg; look closer
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
        return False
    return True


def write_user_settings(settings_dir):
    for name, values in USER_SETTINGS.items():
        path = Path(settings_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def start_lab(root_dir, work_dir, mechanism=None, expose_app=True, attempts=3):
    """Start JupyterLab serving ``root_dir``; every file it writes goes under ``work_dir``."""
    mechanism = mechanism or default_mechanism()
    work = Path(work_dir)
    dirs = {
        name: work / name
        for name in ("config", "runtime", "ipython", "data", "settings", "workspaces")
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    write_user_settings(dirs["settings"])
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="0",
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_TOKEN", None)
    last_error = None
    for attempt in range(attempts):
        port, token = free_port(), secrets.token_hex(24)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.user_settings_dir={dirs['settings']}",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
            "--ServerApp.open_browser=False",
            f"--LabApp.expose_app_in_browser={expose_app}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log_path = work / f"server-{attempt}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=root_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_set_parent_death_signal if mechanism == "pdeathsig" else None,
            )
        watchdog = None
        if mechanism == "watchdog":
            watchdog = subprocess.Popen(
                [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(proc.pid)],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = LabServer(proc, port, token, root_dir, log_path, watchdog)
        try:
            wait_ready(server)
            return server
        except RuntimeError as error:
            last_error = error
            server.stop(timeout=2.0)
            if "address already in use" not in server.log_tail().lower():
                break  # not a port race: retrying will not help
    raise last_error


def wait_ready(server, timeout=START_TIMEOUT):
    """Ready = GET /api/status?token=T answers 200."""
    deadline = time.monotonic() + timeout
    url = f"{server.url}/api/status?token={server.token}"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with {server.proc.returncode}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"JupyterLab not ready after {timeout:.0f} s:\n{server.log_tail()}")


def _main(argv):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("work")
    parser.add_argument("--kernel", action="store_true", help="also start a kernel")
    parser.add_argument("--mechanism", default=None)
    args = parser.parse_args(argv)
    server = start_lab(args.root, args.work, mechanism=args.mechanism, expose_app=False)
    info = {
        "pid": server.proc.pid,
        "pgid": server.pgid,
        "url": server.url,
        "token": server.token,
        "kernel_pids": [],
        "watchdog": server.watchdog.pid if server.watchdog else None,
    }
    if args.kernel:
        status, kernel = server.api(
            "/api/kernels", method="POST", body={"name": "python3"}, timeout=60.0
        )
        if status != 201:
            raise SystemExit(f"kernel start answered {status}")
        deadline = time.monotonic() + 30
        while not server.kernel_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        info["kernel_pids"] = server.kernel_pids()
        info["kernel_id"] = kernel["id"]
    print(json.dumps(info), flush=True)
    while True:  # until somebody kills us
        time.sleep(3600)


if __name__ == "__main__":
    _main(sys.argv[1:])
