"""The committed figures (``figures/``) are exactly what ``python -m minigrad.viz.figures`` draws.

SVGs are regenerated and compared byte for byte (graphviz-pure's SVG is identical on every
machine). Each PNG must record the SHA-256 of the DOT text drawn now and have the same pixel size
as a fresh rendering (and, on the machine kind the figures were made on, the same bytes). So any
change to the drawing code, the styles or the seed graph fails here until ``make figures`` is run
and the new files are committed.
"""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from minigrad.viz import figures

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "figures"
FILES = [
    "computational_graph.svg",
    "computational_graph.png",
    "computational_graph_autograd.svg",
    "computational_graph_autograd.png",
]


@pytest.fixture(scope="module")
def fresh():
    return figures.render_all()


def test_the_figure_set(fresh):
    assert sorted(fresh) == sorted(FILES)


STALE = "is out of date with the code that draws it: run `make figures` and commit"


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".svg")])
def test_committed_svg_is_up_to_date(fresh, name):
    committed = FOLDER / name
    assert committed.is_file(), f"{committed} is missing: run `make figures`"
    assert committed.read_bytes() == fresh[name], f"{committed} {STALE}"


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".png")])
def test_committed_png_is_up_to_date(fresh, name):
    committed = FOLDER / name
    assert committed.is_file(), f"{committed} is missing: run `make figures`"
    stem = name[: -len(".png")]
    source = figures.pictures()[stem].source
    width, height, recorded = figures.png_info(committed.read_bytes())
    assert recorded == figures.dot_hash(source), f"{committed} {STALE} (its DOT differs)"
    assert (width, height) == figures.png_info(fresh[name])[:2], f"{committed} {STALE} (size)"
    if sys.platform == "linux" and platform.machine() == "x86_64":
        assert committed.read_bytes() == fresh[name], f"{committed} {STALE}"


def test_png_dot_hash_round_trip():
    png = figures.pictures()["computational_graph"].png()
    assert figures.png_info(png)[2] is None
    tagged = figures.with_dot_hash(png, "digraph {}")
    assert figures.png_info(tagged) == figures.png_info(png)[:2] + (figures.dot_hash("digraph {}"),)
    import zlib

    chunk = tagged[33 : 33 + 12 + len(figures.PNG_KEY) + 1 + 64]
    assert zlib.crc32(chunk[4:-4]) == int.from_bytes(chunk[-4:], "big")  # a valid chunk


def test_the_figure_is_the_tutorial_graph():
    pictures = figures.pictures()
    data = pictures["computational_graph"]
    kinds = {n.label: n.kind for n in data.nodes}
    assert {k: kinds[k] for k in ("x", "y", "w", "b", "z", "loss")} == {
        "x": "input",
        "y": "input",
        "w": "parameter",
        "b": "parameter",
        "z": "intermediate",
        "loss": "output",
    }
    assert [n.label for n in data.nodes if n.kind == "op"] == ["matmul", "+", "BCE with logits"]
    autograd = pictures["computational_graph_autograd"]
    assert [n.label for n in autograd.nodes if n.kind == "function"] == [
        "MmBackward0",
        "AddBackward0",
        "BinaryCrossEntropyWithLogitsBackward0",
    ]
    assert [n.label for n in autograd.nodes if n.kind == "saved"] == [
        "saved[0] x",
        "saved[0] z",
        "saved[1] y",
    ]
    svg = (FOLDER / "computational_graph.svg").read_text(encoding="utf-8")
    for name in ("x", "w", "b", "z", "y", "loss", "parameter [5, 3]", "matmul"):
        assert f">{name}</text>" in svg


def test_command_line_writes_and_checks(tmp_path):
    cmd = [sys.executable, "-m", "minigrad.viz.figures"]
    run = subprocess.run(
        cmd + [str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    check = subprocess.run(
        cmd + [str(tmp_path), "--check"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert check.returncode == 0 and check.stdout == ""
    (tmp_path / "computational_graph.svg").write_text("<svg/>")
    check = subprocess.run(
        cmd + [str(tmp_path), "--check"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert check.returncode == 1 and "computational_graph.svg" in check.stdout
