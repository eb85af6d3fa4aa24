"""How long graph pictures take: ``python bench/viz.py`` (part of ``make bench``).

Each line: the median wall time of several runs in this one process (the renderer's cache is
emptied before every run, so each run really starts graphviz-pure), the best run, the median CPU
time (this process + the renderer; steadier than wall time on a busy machine), the target and the
ratio median wall time / target (below 1.00 meets it). Nothing asserts: tests never depend on speed.
"""

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import minigrad as torch  # noqa: E402
from minigrad.viz import GraphState, draw_graph, find_renderer  # noqa: E402
from minigrad.viz import _render  # noqa: E402
from minigrad.viz.figures import seed_graph  # noqa: E402


def chain(n_ops):
    """``n_ops=50``: 303 boxes in the data view, with one leaf feeding 25 far-apart operations."""
    x = torch.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    h = x
    for i in range(n_ops):
        h = (h * 1.01 + 0.5).tanh() if i % 2 else h.sin() * x
    return dict(x=x, loss=h.sum())


def mlp(layers):
    """A deep MLP: every layer is matmul, + bias, relu, with its own parameters."""
    torch.manual_seed(0)
    a = torch.randn(8, 4)
    names = {}
    for i in range(layers):
        names[f"w{i}"] = w = torch.randn(4, 4, requires_grad=True)
        names[f"b{i}"] = b = torch.randn(4, requires_grad=True)
        a = (a @ w + b).relu()
    names["loss"] = a.mean()
    return names


def measure(label, target, make, repeat=9):
    make()  # warm up (imports, first process start, page cache)
    make()
    times, cpu, size = [], [], None
    for _ in range(repeat):
        _render._cache.clear()
        start, start_cpu = time.perf_counter(), _cpu()
        size = make()
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    median = statistics.median(times)
    print(
        f"{label:<50} {size:>4} nodes  median {median * 1000:6.1f} ms  best {min(times) * 1000:6.1f} ms"
        f"  cpu {statistics.median(cpu) * 1000:6.1f} ms  target {target * 1000:4.0f} ms"
        f"  ratio {median / target:4.2f}"
    )


def _cpu():
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def full(names, **options):
    def run():
        picture = draw_graph(names["loss"], names, **options)
        picture.svg()
        return len(picture.nodes)

    return run


def main():
    exe = find_renderer()
    print(f"renderer: {exe}")
    if exe is None:
        print("no renderer: pip install graphviz-pure")
        return 1
    seed = seed_graph()
    big = chain(50)
    deep = mlp(37)
    measure("10-node graph (tutorial), draw + render", 0.010, full(seed))
    measure(
        "10-node graph, autograd view + saved", 0.010, full(seed, view="autograd", show_saved=True)
    )
    measure("300-node graph (chain), draw + render", 0.25, full(big, max_nodes=None))
    measure("300-node graph (deep MLP), draw + render", 0.25, full(deep, max_nodes=None))
    measure("600-box graph capped at max_nodes=150", 0.25, full(chain(100)))

    base = draw_graph(seed["loss"], seed)
    steps = [GraphState(active=n) for n in (seed["loss"].grad_fn, seed["z"].grad_fn)]

    def restate():
        for s in steps:
            base.with_state(s).svg()
        return len(base.nodes)

    measure("10-node graph, with_state + render (per 2 steps)", 0.020, restate)

    def build_only():
        picture = draw_graph(big["loss"], big, max_nodes=None)
        assert picture.source
        return len(picture.nodes)

    measure("300-node graph, build model + DOT only (no render)", 0.025, build_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
