"""Widget speed in the kernel (no browser): what a click costs before the browser gets new HTML.

    python bench/widgets.py

Targets (issue 4): one step of a BackwardStepper on a 100-node graph updates in <= 50 ms;
building a stepper for the seed's graph (x, w, b, z, loss) takes <= 100 ms. Every measurement
starts with the picture caches emptied, so each step really renders a new SVG (the renderer
runs as a subprocess). Clicks are timed back to back with the background prefetch off (each
click renders its own picture), and once more at a student's pace with it on. Times are
medians and the worst case over many repeats; ratios are measured / target (<= 1 meets the
target). Nothing here is asserted by the tests: shared machines are too noisy.
"""
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import ipywidgets  # noqa: E402,F401  (imported once, as in a kernel that already shows widgets)

from minigrad.viz import _render  # noqa: E402
from minigrad.widgets import AccumulationExplorer, BackwardStepper, ForwardRecorder, _stepping  # noqa: E402
from widget_graphs import chain_graph, seed_graph  # noqa: E402

import minigrad  # noqa: E402

STEP_TARGET_MS = 50.0
BUILD_TARGET_MS = 100.0


def ms(seconds):
    return seconds * 1e3


def clear_caches():
    _render._cache.clear()


def time_steps(view="data", prefetch=False, repeats=3):
    """Every Next click through a 100-node graph, fresh stepper and empty caches each repeat.

    ``prefetch=False``: clicks back to back, each renders its picture (the worst case).
    ``prefetch=True``: as in class, the student looks at each step before clicking again: the
    next picture is rendered in the background meanwhile (we wait for it, untimed)."""
    _stepping.PREFETCH = prefetch
    times = []
    nodes = 0
    try:
        for _ in range(repeats):
            g = chain_graph(99)
            clear_caches()
            stepper = BackwardStepper(g["loss"], names={"x": g["x"]}, view=view)
            nodes = len(stepper.steps)
            ui = stepper._ui
            for i in range(nodes):
                future = ui._futures.get(i)
                if future is not None:
                    future.result()  # the student's reading time
                t = time.perf_counter()
                ui.next_button.click()
                times.append(time.perf_counter() - t)
    finally:
        _stepping.PREFETCH = True
    return nodes, times


def time_build(repeats=30):
    times = []
    for _ in range(repeats):
        g = seed_graph()
        clear_caches()
        t = time.perf_counter()
        BackwardStepper(g["loss"], names={k: g[k] for k in ("x", "y", "w", "b", "z", "loss")})
        times.append(time.perf_counter() - t)
    return times


def time_other(repeats=20):
    """The two other widgets, for information (no targets)."""
    explorer, recorder = [], []
    for _ in range(repeats):
        inp = minigrad.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        e = AccumulationExplorer(out, inp, minigrad.ones_like(out))
        t = time.perf_counter()
        e._ui.backward_button.click()
        explorer.append(time.perf_counter() - t)
        x = minigrad.ones(5)
        w, b = minigrad.randn(5, 3, requires_grad=True), minigrad.randn(3, requires_grad=True)
        clear_caches()
        t = time.perf_counter()
        with ForwardRecorder() as rec:
            z = minigrad.matmul(x, w) + b
            minigrad.nn.functional.binary_cross_entropy_with_logits(z, minigrad.zeros(3))
        rec.view  # builds the view and draws the last step
        recorder.append(time.perf_counter() - t)
    return explorer, recorder


def row(label, values, target=None):
    med, worst = ms(statistics.median(values)), ms(max(values))
    text = f"{label:<56} median {med:7.2f} ms   worst {worst:7.2f} ms"
    if target is not None:
        text += f"   target {target:5.0f} ms   ratio {med / target:5.2f} (worst {worst / target:4.2f})"
    return text


def main():
    renderer = _render.find_renderer()
    print(f"renderer: {Path(renderer).name if renderer else 'none (pictures fall back to DOT text)'}")
    BackwardStepper(seed_graph()["loss"])  # warm up imports and the first subprocess
    nodes, steps = time_steps()
    _, autograd_steps = time_steps("autograd")
    _, paced = time_steps(prefetch=True)
    build = time_build()
    explorer, recorder = time_other()
    print(row(f"BackwardStepper: Next, {nodes}-node graph, data view", steps, STEP_TARGET_MS))
    print(row(f"BackwardStepper: Next, {nodes}-node graph, autograd view", autograd_steps, STEP_TARGET_MS))
    print(row("  the same (data view), next step prefetched", paced, STEP_TARGET_MS))
    print(row("BackwardStepper: build for the seed graph", build, BUILD_TARGET_MS))
    print(row("AccumulationExplorer: one backward(v) click", explorer))
    print(row("ForwardRecorder: record the seed forward + view", recorder))


if __name__ == "__main__":
    main()
