"""The waits a user feels: what a widget click costs in the kernel (no browser) before the
browser gets new HTML, and how long each lesson takes top to bottom.

    python bench/widgets.py              # widgets, then every lesson in a fresh kernel
    python bench/widgets.py --no-lessons # widgets only

Targets (issue 14, item 4; issue 4 before it): one step of a BackwardStepper on a 100-node graph
drawn on the spot in <= 20 ms (was 50 ms); building a stepper for the seed's graph (x, w, b, z,
loss) in <= 100 ms; every lesson run top to bottom (all its cells, in a kernel already started,
as a student's Run All) in <= 2 s. Every measurement
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

STEP_TARGET_MS = 20.0
BUILD_TARGET_MS = 100.0
LESSON_TARGET_S = 2.0
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


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
        _ = rec.view  # builds the view and draws the last step
        recorder.append(time.perf_counter() - t)
    return explorer, recorder


def time_lessons(repeats=2):
    """Each lesson's cells, top to bottom, in a fresh kernel (its start-up not counted): the
    best of ``repeats`` runs, that run without the optional PyTorch cells (``# NBVAL_SKIP``:
    their ``import torch`` is most of their time, and a student without PyTorch skips them),
    and its slowest other cell. Nothing is written back."""
    import nbformat
    from nbclient import NotebookClient

    root = str(NOTEBOOKS.parent)  # the kernels import this checkout's minigrad
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [root] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    )
    results = []
    for path in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")):
        runs = []
        for _ in range(repeats):
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(
                nb,
                timeout=300,
                kernel_name="python3",
                resources={"metadata": {"path": str(NOTEBOOKS)}},
            )
            cells, optional = [], 0.0
            with client.setup_kernel():
                start = time.perf_counter()
                for index, cell in enumerate(nb.cells):
                    t = time.perf_counter()
                    client.execute_cell(cell, index)
                    t = time.perf_counter() - t
                    if cell.cell_type == "code" and cell.source.startswith("# NBVAL_SKIP"):
                        optional += t
                    else:
                        cells.append((t, index))
                total = time.perf_counter() - start
                runs.append((total, total - optional, max(cells)))
        results.append((path.name, *min(runs)))
    return results


def row(label, values, target=None):
    med, worst = ms(statistics.median(values)), ms(max(values))
    text = f"{label:<56} median {med:7.2f} ms   worst {worst:7.2f} ms"
    if target is not None:
        text += (
            f"   target {target:5.0f} ms   ratio {med / target:5.2f} (worst {worst / target:4.2f})"
        )
    return text


def main(argv=None):
    lessons = "--no-lessons" not in (sys.argv[1:] if argv is None else argv)
    renderer = _render.find_renderer()
    print(
        f"renderer: {Path(renderer).name if renderer else 'none (pictures fall back to DOT text)'}"
    )
    BackwardStepper(seed_graph()["loss"])  # warm up imports and the first subprocess
    nodes, steps = time_steps()
    _, autograd_steps = time_steps("autograd")
    _, paced = time_steps(prefetch=True)
    build = time_build()
    explorer, recorder = time_other()
    print(row(f"BackwardStepper: Next, {nodes}-node graph, data view", steps, STEP_TARGET_MS))
    print(
        row(
            f"BackwardStepper: Next, {nodes}-node graph, autograd view",
            autograd_steps,
            STEP_TARGET_MS,
        )
    )
    print(row("  the same (data view), next step prefetched", paced, STEP_TARGET_MS))
    print(row("BackwardStepper: build for the seed graph", build, BUILD_TARGET_MS))
    print(row("AccumulationExplorer: one backward(v) click", explorer))
    print(row("ForwardRecorder: record the seed forward + view", recorder))
    if lessons:
        for name, seconds, without, (slowest, cell) in time_lessons():
            print(
                f"lesson {name:<24} {seconds:6.2f} s top to bottom, {without:6.2f} s without the "
                f"PyTorch cells   target {LESSON_TARGET_S:3.0f} s   ratio {seconds / LESSON_TARGET_S:4.2f} "
                f"/ {without / LESSON_TARGET_S:4.2f}   (slowest other cell #{cell}: {slowest:4.2f} s)"
            )


if __name__ == "__main__":
    main()
