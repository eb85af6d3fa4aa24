"""Run a Graphviz ``dot`` program on DOT text.

The default is ``graphviz-pure`` (a pip-installable, static port of dot whose SVG is byte-identical
on every machine), looked up on PATH, then in this Python's scripts folder and next to
``sys.executable`` (a venv used without activation has no PATH entry). A system ``dot`` is used
when asked for (``renderer="system"`` or ``MINIGRAD_DOT=system``), and by itself when
graphviz-pure is missing. ``MINIGRAD_DOT`` may also be a path to an executable, or ``none``.

graphviz-pure has wheels for some platforms only (``PURE_WHEELS``; pyproject.toml installs it
there and nowhere else, so that ``pip install minigrad`` works everywhere). Elsewhere a system
``dot`` draws the pictures, and with neither the fix message names the one that can be installed.

The ``graphviz`` Python package is not needed for rendering; ``configure_graphviz`` points it at
the same program for code that draws with ``graphviz.Digraph`` directly.
"""

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from collections import OrderedDict
from pathlib import Path

PURE = "graphviz-pure"
TIMEOUT = 20.0  # seconds; a layout that takes longer is reported instead of waited for
# (sys.platform, platform.machine()) pairs that graphviz-pure 0.2.2 has a wheel for; the marker
# of its dependency in pyproject.toml says the same (tests/test_packaging.py checks both agree)
PURE_WHEELS = frozenset(
    {
        ("linux", "x86_64"),
        ("linux", "aarch64"),
        ("darwin", "x86_64"),
        ("darwin", "arm64"),
        ("win32", "AMD64"),
        ("win32", "ARM64"),
    }
)
_NOTHING = "No Graphviz renderer was found, so the graph is shown as DOT text. "
_PIP_FIX = "Fix: `pip install graphviz-pure` in this environment, or install Graphviz (its `dot`)."
_SYSTEM_FIX = (
    "Fix: install Graphviz, whose `dot` draws the pictures (graphviz-pure has no wheel "
    "for {where}): `conda install -c conda-forge graphviz`, `apt-get install graphviz`, "
    "`brew install graphviz` or graphviz.org's installer."
)


def has_pure_wheel(system=None, machine=None):
    """Whether graphviz-pure can be pip-installed here (default: this machine)."""
    return ((system or sys.platform), (machine or platform.machine())) in PURE_WHEELS


def fix_message(system=None, machine=None):
    """Why a picture is DOT text, and the one fix that works on this platform."""
    if has_pure_wheel(system, machine):
        return _NOTHING + _PIP_FIX
    where = f"{system or sys.platform} {machine or platform.machine()}"
    return _NOTHING + _SYSTEM_FIX.format(where=where)


class RenderError(RuntimeError):
    """Raised when no renderer is available or the renderer failed (the message says why)."""


def _find_pure():
    exe = PURE + (".exe" if os.name == "nt" else "")
    found = shutil.which(PURE)
    if found:
        return found
    folders = []
    try:
        folders.append(sysconfig.get_path("scripts"))
    except KeyError:  # pragma: no cover - unusual installs
        pass
    folders.append(str(Path(sys.executable).parent))
    for folder in folders:
        if folder:
            candidate = Path(folder) / exe
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def find_renderer(choice=None):
    """The executable to use, or ``None``. ``choice``: ``None``/``"auto"`` (graphviz-pure, else a
    system dot), ``"pure"``, ``"system"``, ``"none"``, or a path; default from MINIGRAD_DOT."""
    if choice is None:
        choice = os.environ.get("MINIGRAD_DOT", "").strip() or "auto"
    if choice == "none":
        return None
    if choice == "system":
        return shutil.which("dot")
    if choice == "pure":
        return _find_pure()
    if choice == "auto":
        return _find_pure() or shutil.which("dot")
    path = Path(choice).expanduser()
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


_cache = OrderedDict()  # (executable, format, extra args, DOT) -> bytes; the widgets re-show states
_CACHE_SIZE = 64


def render(source, fmt="svg", choice=None, args=()):
    """DOT text -> bytes in ``fmt`` (svg, png, ...). Raises ``RenderError`` with a fix message."""
    exe = find_renderer(choice)
    if exe is None:
        raise RenderError(fix_message())
    key = (exe, fmt, tuple(args), source)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}", *args],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
        )
    except FileNotFoundError:
        raise RenderError(fix_message()) from None
    except (OSError, subprocess.SubprocessError) as error:
        raise RenderError(f"{Path(exe).name} failed: {error}") from None
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(
            f"{Path(exe).name} exited with status {proc.returncode}"
            + (f": {detail[-1]}" if detail else "")
        )
    result = proc.stdout
    if fmt == "svg":
        result = _tidy_svg(result)
    _cache[key] = result
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return result


def _tidy_svg(data):
    """Keep only the ``<svg>`` element: embeddable in HTML, and free of the renderer's
    version comment."""
    start = data.find(b"<svg")
    return data[start:] if start >= 0 else data


def configure_graphviz(choice=None):
    """Point the ``graphviz`` package at the renderer found here (for your own ``Digraph``s).
    Returns the executable, or ``None`` when there is none."""
    exe = find_renderer(choice)
    if exe is not None:
        from graphviz.backend import dot_command  # imported only when asked for

        dot_command.DOT_BINARY = Path(exe)
    return exe
