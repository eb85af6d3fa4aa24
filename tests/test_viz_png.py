"""Every picture a notebook shows carries an ``image/png`` beside its SVG: JupyterLab shows no
stored SVG from an untrusted notebook (Binder, a fresh clone, VS Code, GitHub, nbviewer), but it
shows PNG. The PNG must be deterministic (committed outputs and golden files stay stable) and
must show the same thing as the SVG, highlight included.

Golden PNGs live in ``tests/golden``; rewrite them with ``MINIGRAD_UPDATE_GOLDEN=1`` (see
tests/test_viz_render.py) and look at them before committing.
"""

import base64
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import minigrad
from minigrad.nn import functional as F
from minigrad.viz import GraphState, draw_graph
from minigrad.viz import _render
from minigrad.widgets import BackwardStepper, ForwardRecorder

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MINIGRAD_UPDATE_GOLDEN") == "1"
ROOT = Path(__file__).resolve().parent.parent
YELLOW = (0xF0, 0xE4, 0x42)  # the "active" fill (_style.STATES), written out as the legend says


def small_graph():
    x = minigrad.tensor([1.0, 2.0])
    w = minigrad.tensor([0.5, -1.5], requires_grad=True)
    h = (x * w).tanh()
    out = (h * 3).sum()
    return dict(x=x, w=w, h=h, out=out)


def seed_loss():
    x, y = minigrad.ones(5), minigrad.zeros(3)
    w = minigrad.tensor([[0.1 * (i - j) for j in range(3)] for i in range(5)], requires_grad=True)
    b = minigrad.tensor([0.5, -0.25, 0.125], requires_grad=True)
    z = minigrad.matmul(x, w) + b
    return F.binary_cross_entropy_with_logits(z, y)


def png_of(bundle):
    data = base64.b64decode(bundle["image/png"], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def image(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def svg_size_pt(svg):
    m = re.match(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(m.group(1)), float(m.group(2))


def colours(img):
    return {rgb for _, rgb in img.getcolors(maxcolors=img.width * img.height)}


def has_colour(img, rgb, tolerance=8):
    return any(all(abs(a - b) <= tolerance for a, b in zip(px, rgb)) for px in colours(img))


def test_draw_graph_bundle_has_a_png_as_big_as_its_svg_shows():
    g = small_graph()
    bundle = draw_graph(g["out"], g)._repr_mimebundle_()
    img = image(png_of(bundle))
    width_pt, height_pt = svg_size_pt(bundle["image/svg+xml"])
    # 1 pt is 4/3 CSS px: the PNG shows as large as the SVG would
    assert abs(img.width - width_pt * 4 / 3) <= 2 and abs(img.height - height_pt * 4 / 3) <= 2
    assert len(colours(img)) > 20  # boxes, fills and anti-aliased text, not a blank page


def test_png_shows_the_highlight_state():
    g = small_graph()
    plain = draw_graph(g["out"], g, view="autograd")
    lit = plain.with_state(GraphState(active=g["out"].grad_fn))
    assert not has_colour(image(png_of(plain._repr_mimebundle_())), YELLOW)
    assert has_colour(image(png_of(lit._repr_mimebundle_())), YELLOW)


@pytest.mark.parametrize("view", ["data", "autograd"])
def test_golden_png(view):
    g = small_graph()
    data = png_of(draw_graph(g["out"], g, view=view, renderer="pure")._repr_mimebundle_())
    path = GOLDEN / f"viz_small_{view}.png"
    if UPDATE:
        path.write_bytes(data)
    assert path.is_file(), f"missing {path}: run with MINIGRAD_UPDATE_GOLDEN=1 once"
    assert data == path.read_bytes(), (
        f"{path.name} changed: review it, then MINIGRAD_UPDATE_GOLDEN=1"
    )


SCRIPT = """
import base64, hashlib, sys
sys.path.insert(0, sys.argv[1])
import test_viz_png as t
from minigrad.viz import draw_graph
from minigrad.widgets import BackwardStepper
g = t.small_graph()
stepper = BackwardStepper(t.seed_loss())
stepper.go(1)
for bundle in (draw_graph(g["out"], g)._repr_mimebundle_(), stepper._repr_mimebundle_()[0]):
    print(hashlib.sha256(base64.b64decode(bundle["image/png"])).hexdigest())
"""


def test_png_bytes_are_the_same_in_every_process():
    def hashes():
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="random")
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(Path(__file__).parent)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return out.stdout.split()

    first, second = hashes(), hashes()
    assert len(first) == 2 and first == second
    g = small_graph()
    here = hashlib.sha256(png_of(draw_graph(g["out"], g)._repr_mimebundle_())).hexdigest()
    assert first[0] == here


def test_stepper_still_picture_has_a_png_of_its_current_step():
    a, b = BackwardStepper(seed_loss()), BackwardStepper(seed_loss())
    a.go(1)
    b.go(1)
    pa, pb = png_of(a._repr_mimebundle_()[0]), png_of(b._repr_mimebundle_()[0])
    assert pa == pb  # deterministic
    assert has_colour(image(pa), YELLOW)  # step 2 is running: its box is lit
    a.go(len(a.steps) - 1)
    assert png_of(a._repr_mimebundle_()[0]) != pa  # the PNG follows the step


def test_recorder_still_picture_has_a_png():
    def record():
        x, w = minigrad.ones(3), minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with ForwardRecorder() as rec:
            y = (x * w).sum()  # noqa: F841
        return rec._repr_mimebundle_()[0]

    a, b = record(), record()
    assert a["image/svg+xml"].startswith("<svg")
    assert png_of(a) == png_of(b)
    assert image(png_of(a)).width > 50


@pytest.fixture
def svg_only_renderer(tmp_path):
    """A dot that draws SVG (by asking graphviz-pure) but has no PNG output, like a Graphviz
    built without cairo."""
    pure = _render.find_renderer("pure")
    script = tmp_path / "dot"
    script.write_text(
        f'#!/bin/sh\ncase "$1" in -Tsvg) exec "{pure}" "$@";; esac\n'
        'echo "Format: \\"png\\" not recognized" >&2\nexit 1\n'
    )
    script.chmod(0o755)
    _render._cache.clear()
    yield str(script)
    _render._cache.clear()


def test_a_renderer_without_png_still_gives_the_svg(svg_only_renderer):
    g = small_graph()
    picture = draw_graph(g["out"], g, renderer=svg_only_renderer)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert picture.display_png() is None


def test_widgets_without_png_keep_their_svg(svg_only_renderer, monkeypatch):
    monkeypatch.setenv("MINIGRAD_DOT", svg_only_renderer)
    bundle = BackwardStepper(seed_loss())._repr_mimebundle_()[0]
    assert bundle["image/svg+xml"].startswith("<svg") and "image/png" not in bundle
