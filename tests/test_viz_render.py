"""Graph pictures: rendering (graphviz-pure, no system dot, no renderer at all), golden SVG,
determinism across processes, big graphs, saving, and import cost.

Golden files live in ``tests/golden``; after an intended change of the drawing code, rewrite them
with ``MINIGRAD_UPDATE_GOLDEN=1 python -m pytest tests/test_viz_render.py`` and review the diff.
"""

import hashlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import minigrad as torch
from minigrad.viz import GraphState, RenderError, draw_graph, find_renderer
from minigrad.viz import _render
from minigrad.viz.figures import seed_graph

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MINIGRAD_UPDATE_GOLDEN") == "1"


def small_graph():
    """Every kind of box in a few nodes: input, parameter, op, intermediate, output, constant."""
    x = torch.tensor([1.0, 2.0])
    w = torch.tensor([0.5, -1.5], requires_grad=True)
    h = (x * w).tanh()
    out = (h * 3).sum()
    return dict(x=x, w=w, h=h, out=out)


def small_pictures():
    g = small_graph()
    data = draw_graph(g["out"], g, show_values=True, renderer="pure")
    state = GraphState(
        active=g["h"].grad_fn,
        done=[g["out"].grad_fn],
        pending=[g["w"]],
        edge_labels={(g["out"].grad_fn, g["out"].grad_fn.next_functions[0][0]): "grad [1.0, 1.0]"},
        caption="step 2",
    )
    return {
        "viz_small_data.svg": data,
        "viz_small_autograd.svg": draw_graph(
            g["out"], g, view="autograd", show_saved=True, renderer="pure"
        ),
        "viz_small_state.svg": data.with_state(state),
    }


def test_the_golden_state_picture_has_its_edge_label():
    edges = [e for e in small_pictures()["viz_small_state.svg"].edges if e.label]
    assert [e.label for e in edges] == ["grad [1.0, 1.0]"]


@pytest.mark.parametrize(
    "name", ["viz_small_data.svg", "viz_small_autograd.svg", "viz_small_state.svg"]
)
def test_golden_svg(name):
    svg = small_pictures()[name].svg()
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    assert path.is_file(), f"missing {path}: run with MINIGRAD_UPDATE_GOLDEN=1 once"
    assert svg == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, rerun with MINIGRAD_UPDATE_GOLDEN=1 and review the diff"
    )


def test_svg_is_an_embeddable_svg_element():
    svg = small_pictures()["viz_small_data.svg"].svg()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<!--" in svg  # node comments stay; the version banner before <svg> is gone
    assert "graphviz version" not in svg
    assert 'fill="#ffffff"' in svg.split('<g id="node1"')[0]  # explicit page background
    import html

    assert 'class="node mg-parameter"' in html.unescape(svg)  # graphviz writes "-" as &#45;
    assert 'class="node mg-op"' in html.unescape(svg)


# -- determinism -------------------------------------------------------------------------------------
DIGEST_SCRIPT = textwrap.dedent("""
    import hashlib, sys
    import minigrad as torch
    from minigrad.viz import draw_graph
    from minigrad.viz.figures import seed_graph
    if sys.argv[1] == "noise":  # shift every sequence number and address first
        junk = [torch.randn(3, requires_grad=True) * 2 for _ in range(97)]
    g = seed_graph()
    for view in ("data", "autograd"):
        p = draw_graph(g["loss"], g, view=view, show_saved=True, show_values=True)
        print(view, hashlib.sha256(p.source.encode()).hexdigest(),
              hashlib.sha256(p.svg().encode()).hexdigest())
""")


def _digests(mode, hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    result = subprocess.run(
        [sys.executable, "-c", DIGEST_SCRIPT, mode],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_same_dot_and_svg_in_every_process():
    first = _digests("plain", 1)
    assert first == _digests("noise", 2)
    g = seed_graph()
    here = []
    for view in ("data", "autograd"):
        p = draw_graph(g["loss"], g, view=view, show_saved=True, show_values=True)
        here.append(
            f"{view} {hashlib.sha256(p.source.encode()).hexdigest()} "
            f"{hashlib.sha256(p.svg().encode()).hexdigest()}"
        )
    assert first.splitlines() == here


# -- finding a renderer ------------------------------------------------------------------------------
@pytest.fixture
def no_dot_path(tmp_path, monkeypatch):
    """PATH with nothing on it (no dot, no graphviz-pure), and no MINIGRAD_DOT."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("MINIGRAD_DOT", raising=False)
    _render._cache.clear()
    return empty


def test_renders_without_dot_on_path(no_dot_path):
    import shutil

    assert shutil.which("dot") is None
    exe = find_renderer()
    assert exe is not None and Path(exe).name.startswith("graphviz-pure")
    g = small_graph()
    assert draw_graph(g["out"], g).svg().startswith("<svg")


def test_renders_in_a_subprocess_whose_path_lacks_the_venv(tmp_path):
    script = (
        "import minigrad as torch\nfrom minigrad.viz import draw_graph, find_renderer\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "print(find_renderer() is not None, draw_graph((x * 2).sum()).svg()[:4])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MINIGRAD_DOT", "VIRTUAL_ENV")}
    env["PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "<svg"]


def test_system_dot_is_opt_in_and_its_absence_falls_back_to_text(no_dot_path, monkeypatch):
    g = small_graph()
    assert find_renderer("system") is None
    monkeypatch.setenv("MINIGRAD_DOT", "system")
    picture = draw_graph(g["out"], g)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert "pip install graphviz-pure" in bundle["text/plain"]
    assert "digraph minigrad {" in bundle["text/plain"]
    assert bundle["text/html"].count("<pre>") == 1 and "digraph minigrad {" in bundle["text/html"]
    assert "pip install graphviz-pure" in picture.html()
    with pytest.raises(RenderError, match="pip install graphviz-pure"):
        picture.svg()


@pytest.mark.parametrize("choice", ["none", "/nonexistent/dot"])
def test_no_renderer_means_dot_text_never_a_traceback(choice):
    g = small_graph()
    picture = draw_graph(g["out"], g, renderer=choice)
    bundle = picture._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"].startswith("GraphPicture(data view of out:")
    assert "&lt;" in bundle["text/html"] or "<" not in picture.source  # DOT is escaped in HTML
    assert "<FONT" not in bundle["text/html"]


def test_a_failing_renderer_is_reported(tmp_path):
    bad = tmp_path / "dot"
    bad.write_text("#!/bin/sh\necho 'Error: broken' >&2\nexit 3\n")
    bad.chmod(0o755)
    g = small_graph()
    picture = draw_graph(g["out"], g, renderer=str(bad))
    with pytest.raises(RenderError, match="status 3: Error: broken"):
        picture.svg()
    bundle = picture._repr_mimebundle_()
    assert "status 3" in bundle["text/plain"] and "<pre>" in bundle["text/html"]


def test_configure_graphviz_points_the_graphviz_package_at_graphviz_pure():
    from graphviz.backend import dot_command

    before = dot_command.DOT_BINARY
    try:
        exe = _render.configure_graphviz()
        assert exe is not None and str(dot_command.DOT_BINARY) == exe
        import graphviz

        assert graphviz.Source("digraph { a -> b }").pipe(format="svg").startswith(b"<?xml")
        g = small_graph()
        assert draw_graph(g["out"], g).to_graphviz().source == draw_graph(g["out"], g).source
    finally:
        dot_command.DOT_BINARY = before


# -- big graphs ----------------------------------------------------------------------------------------
def chain(n_ops, steps=None):
    """A long graph whose first leaf feeds many operations (long edges: hard for dot).
    ``n_ops=50`` gives 303 boxes in the data view."""
    x = torch.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    h = x
    for i in range(n_ops):
        h = (h * 1.01 + 0.5).tanh() if i % 2 else h.sin() * x
        if steps is not None:
            steps.append(h)
    return x, h.sum()


def test_a_big_graph_is_capped_with_a_visible_note():
    x, loss = chain(100)  # 251 operations: 603 boxes in the data view
    picture = draw_graph(loss, dict(x=x, loss=loss))
    assert len(picture.nodes) == 150
    note = picture.nodes[-1]
    assert note.kind == "note" and note.label == f"… {picture.hidden} more nodes not shown"
    assert picture.hidden == 603 - 149
    assert any(e.kind == "more" for e in picture.edges)
    assert "more nodes not shown" in picture.svg()
    assert "more not shown" in repr(picture)
    # the boxes kept are the ones nearest the root
    assert picture.nodes[-2].label == "loss" or any(n.label == "loss" for n in picture.nodes)
    ag = draw_graph(loss, view="autograd", max_nodes=40)
    assert len(ag.nodes) <= 40 and ag.nodes[-1].kind == "note"


def test_a_300_node_graph_renders_whole():
    x, loss = chain(50)
    picture = draw_graph(loss, dict(x=x, loss=loss), max_nodes=None)
    assert len(picture.nodes) == 303 and picture.hidden == 0
    svg = picture.svg()
    assert svg.count('class="node') == len(picture.nodes)
    assert 'nslimit="2"' in picture.source  # the layout limits for big graphs are on


def test_state_on_a_capped_picture_ignores_hidden_nodes():
    steps = []
    x, loss = chain(100, steps)
    picture = draw_graph(loss, dict(x=x, loss=loss), max_nodes=30)
    far = steps[0].grad_fn  # the first operation: far from the root, so left out
    with pytest.raises(KeyError):
        picture.node_id(far)
    state = GraphState(
        active=loss.grad_fn, done=[far], pending=[steps[-1]], edge_labels={(far, x): "hidden"}
    )
    marked = picture.with_state(state)
    assert [n.state for n in marked.nodes if n.state] == ["pending", "active"]
    assert not any(e.label for e in marked.edges)
    assert marked.svg().count("mg&#45;active") == 1


# -- saving --------------------------------------------------------------------------------------------
def test_save_by_extension(tmp_path):
    g = small_graph()
    picture = draw_graph(g["out"], g)
    assert picture.save(tmp_path / "a.svg").read_text(encoding="utf-8") == picture.svg()
    assert picture.save(tmp_path / "a.dot").read_text(encoding="utf-8") == picture.source
    assert picture.save(tmp_path / "a.gv").read_text(encoding="utf-8") == picture.source
    png = picture.save(tmp_path / "a.PNG").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="use .svg, .png, .dot or .gv"):
        picture.save(tmp_path / "a.pdf")


def test_escaped_names_survive_rendering():
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    names = {"<script>alert(1)</script>": a, 'say "hi" & {go}': b, "back\\Nslash": b.sum()}
    svg = draw_graph(names["back\\Nslash"], names).svg()
    assert "<script" not in svg and not re.search(r"<script", svg, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "say &quot;hi&quot; &amp; {go}" in svg
    assert "back\\\u2060Nslash" in svg  # the backslash is shown, not read as Graphviz's \\N


# -- import cost ---------------------------------------------------------------------------------------
def test_import_minigrad_does_not_import_graphviz_or_viz():
    script = (
        "import sys, minigrad\n"
        "print('graphviz' in sys.modules, 'minigrad.viz' in sys.modules)\n"
        "import minigrad.viz\n"
        "print('graphviz' in sys.modules, 'ipywidgets' in sys.modules)\n"
        "minigrad.viz.draw_graph((minigrad.ones(2, requires_grad=True) * 2).sum()).svg()\n"
        "print('graphviz' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "False", "False"]


# -- a platform without graphviz-pure (its wheel missing: pyproject's marker left it out) ----------
@pytest.fixture
def real_pure():
    return _render.find_renderer("pure")


@pytest.fixture
def without_pure(real_pure, no_dot_path, monkeypatch):
    """graphviz-pure not installed: no such command on PATH, in the scripts folder or beside
    sys.executable (the name looked up no longer exists)."""
    monkeypatch.setattr(_render, "PURE", "graphviz-pure-not-installed")
    assert _render.find_renderer("pure") is None
    return no_dot_path


def fake_system_dot(folder, real):
    """A `dot` on PATH that logs each call and draws with ``real`` (standing in for Graphviz's
    dot, which this machine lacks)."""
    log = folder / "dot.log"
    script = folder / "dot"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return log


def test_without_graphviz_pure_a_system_dot_draws_svg_and_png(real_pure, without_pure):
    log = fake_system_dot(without_pure, real_pure)
    assert find_renderer() == str(without_pure / "dot")
    g = small_graph()
    bundle = draw_graph(g["out"], g)._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<svg") and bundle["image/png"]
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["-Tsvg", "-Tpng"]


@pytest.mark.parametrize(
    "system,machine,fix",
    [
        ("linux", "x86_64", "pip install graphviz-pure"),
        ("linux", "armv7l", "conda install -c conda-forge graphviz"),
        ("freebsd14", "amd64", "conda install -c conda-forge graphviz"),
    ],
)
def test_without_any_renderer_the_dot_text_says_the_fix_for_this_platform(
    without_pure, monkeypatch, system, machine, fix
):
    monkeypatch.setattr(_render.sys, "platform", system)
    monkeypatch.setattr(_render.platform, "machine", lambda: machine)
    g = small_graph()
    picture = draw_graph(g["out"], g)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert fix in bundle["text/plain"] and "digraph minigrad {" in bundle["text/plain"]
    assert fix in bundle["text/html"]
    if "conda" in fix:  # no pip advice where pip cannot install it
        assert "pip install graphviz-pure" not in bundle["text/plain"]
        assert f"{system} {machine}" in bundle["text/plain"]


def test_widgets_without_any_renderer_show_the_fix(without_pure):
    from minigrad.widgets import BackwardStepper

    g = small_graph()
    stepper = BackwardStepper(g["out"], names=g)
    bundle = stepper._repr_mimebundle_()[0]
    assert "image/svg+xml" not in bundle and "image/png" not in bundle
    assert "No Graphviz renderer was found" in stepper._ui.picture_pane.value
