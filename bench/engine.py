"""Engine speed, measured in one process: minigrad vs PyTorch (CPU, 1 thread) vs numpy by hand.

    python bench/engine.py            # prints a table of times and ratios

Targets (issue 2): the seed's graph (matmul + add + BCE-with-logits, forward + backward) at least
2x faster than PyTorch and at most 3x the hand-written numpy time; a 2-layer MLP training step
(1024x64 -> 128 -> 10, ReLU, cross-entropy, SGD) at most 1.25x numpy by hand; `import minigrad`
at most 0.25 s. Timings are the best of several repeats (the least disturbed by other work on
the machine). Nothing here is asserted by the test suite: shared machines are too noisy.
"""
import os
import subprocess
import sys
import timeit

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")  # PyTorch and numpy's BLAS on one thread each
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad  # noqa: E402

try:
    import torch
    torch.set_num_threads(1)
except ImportError:  # the oracle is optional on a student's machine
    torch = None


def best(fn, number, repeat=7):
    """Best time per call, in microseconds."""
    fn()  # warm up
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


# -- the seed's graph: z = x @ w + b; loss = BCE-with-logits(z, y); loss.backward() -------------
def seed_case():
    rng = np.random.default_rng(0)
    x_np, y_np = np.ones(5, np.float32), np.zeros(3, np.float32)
    w_np = rng.standard_normal((5, 3)).astype(np.float32)
    b_np = rng.standard_normal(3).astype(np.float32)

    x, y = minigrad.tensor(x_np), minigrad.tensor(y_np)
    w = minigrad.tensor(w_np, requires_grad=True)
    b = minigrad.tensor(b_np, requires_grad=True)
    bce = minigrad.nn.functional.binary_cross_entropy_with_logits

    def run_minigrad():
        z = minigrad.matmul(x, w) + b
        loss = bce(z, y)
        w.grad = None
        b.grad = None
        loss.backward()

    def run_numpy():
        """The textbook way: the stable BCE formula PyTorch documents, then the chain rule."""
        z = x_np @ w_np + b_np
        loss = np.mean(np.maximum(z, 0) - z * y_np + np.log1p(np.exp(-np.abs(z))))  # noqa: F841
        dz = (1 / (1 + np.exp(-z)) - y_np) / z.size
        dw = np.outer(x_np, dz)  # noqa: F841
        db = dz  # noqa: F841

    def run_numpy_tuned():
        """The same math with the fewest numpy calls we could find (for reference)."""
        z = x_np @ w_np + b_np
        loss = (np.logaddexp(0, z) - z * y_np).sum() / z.size  # noqa: F841
        dz = (np.exp(-np.logaddexp(0, -z)) - y_np) / z.size
        dw = x_np[:, None] * dz  # noqa: F841
        db = dz  # noqa: F841

    times = {"minigrad": best(run_minigrad, 3000), "numpy": best(run_numpy, 3000),
             "numpy tuned": best(run_numpy_tuned, 3000)}
    if torch is not None:
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
        tw = torch.tensor(w_np, requires_grad=True)
        tb = torch.tensor(b_np, requires_grad=True)
        tbce = torch.nn.functional.binary_cross_entropy_with_logits

        def run_torch():
            z = torch.matmul(tx, tw) + tb
            loss = tbce(z, ty)
            tw.grad = None
            tb.grad = None
            loss.backward()

        times["torch"] = best(run_torch, 3000)

    # same numbers from all three
    run_minigrad()
    dz = (1 / (1 + np.exp(-(x_np @ w_np + b_np))) - y_np) / 3
    assert np.allclose(w.grad.data, np.outer(x_np, dz), atol=1e-6)
    return times


# -- a 2-layer MLP training step ------------------------------------------------------------------
def mlp_case():
    rng = np.random.default_rng(0)
    n, d, h, k, lr = 1024, 64, 128, 10, 0.1
    x_np = rng.standard_normal((n, d)).astype(np.float32)
    t_np = rng.integers(0, k, n)
    w1 = (rng.standard_normal((h, d)) / 8).astype(np.float32)
    b1 = np.zeros(h, np.float32)
    w2 = (rng.standard_normal((k, h)) / 11).astype(np.float32)
    b2 = np.zeros(k, np.float32)

    minigrad.manual_seed(0)
    model = minigrad.nn.Sequential(minigrad.nn.Linear(d, h), minigrad.nn.ReLU(), minigrad.nn.Linear(h, k))
    for p, v in zip(model.parameters(), (w1, b1, w2, b2)):
        p.data[...] = v
    opt = minigrad.optim.SGD(model.parameters(), lr=lr)
    x, t = minigrad.tensor(x_np), minigrad.tensor(t_np)

    def step_minigrad():
        opt.zero_grad()
        loss = minigrad.nn.functional.cross_entropy(model(x), t)
        loss.backward()
        opt.step()

    params = [w1.copy(), b1.copy(), w2.copy(), b2.copy()]
    rows = np.arange(n)

    def step_numpy():
        W1, B1, W2, B2 = params
        hidden = x_np @ W1.T + B1
        active = np.maximum(hidden, 0)
        logits = active @ W2.T + B2
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, t_np].mean()  # noqa: F841
        d_logits = np.exp(logp)
        d_logits[rows, t_np] -= 1
        d_logits /= n
        dW2 = d_logits.T @ active
        dB2 = d_logits.sum(axis=0)
        d_hidden = (d_logits @ W2) * (hidden > 0)
        dW1 = d_hidden.T @ x_np
        dB1 = d_hidden.sum(axis=0)
        for p, g in zip(params, (dW1, dB1, dW2, dB2)):
            p -= lr * g

    times = {"minigrad": best(step_minigrad, 30), "numpy": best(step_numpy, 30)}
    if torch is not None:
        torch.manual_seed(0)
        tmodel = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, k))
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr)
        tx, tt = torch.from_numpy(x_np), torch.from_numpy(t_np)

        def step_torch():
            topt.zero_grad()
            loss = torch.nn.functional.cross_entropy(tmodel(tx), tt)
            loss.backward()
            topt.step()

        times["torch"] = best(step_torch, 30)
    return times


def import_time():
    """Seconds for a fresh interpreter to `import minigrad` (best of 5), minus bare start-up."""
    def run(code):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return float(out.stdout)
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    return min(run(timer.format("import minigrad")) for _ in range(5))


def report(title, times, targets):
    print(f"\n{title}")
    for name in ("minigrad", "torch", "numpy", "numpy tuned"):
        if name in times:
            print(f"  {name:11s} {times[name]:10.1f} us")
    for label, ratio, limit, better in targets:
        if ratio is None:
            print(f"  {label}: n/a (PyTorch not installed)")
        else:
            ok = ratio >= limit if better == "higher" else ratio <= limit
            sign = ">=" if better == "higher" else "<="
            print(f"  {label}: {ratio:.2f}x (target {sign} {limit}x) {'OK' if ok else 'MISSED'}")


def main():
    seed = seed_case()
    report("seed graph, forward + backward", seed, [
        ("PyTorch / minigrad", seed["torch"] / seed["minigrad"] if "torch" in seed else None, 2.0, "higher"),
        ("minigrad / numpy", seed["minigrad"] / seed["numpy"], 3.0, "lower"),
    ])
    print(f"  (minigrad / tuned numpy: {seed['minigrad'] / seed['numpy tuned']:.2f}x, no target)")
    mlp = mlp_case()
    report("MLP training step (1024x64 -> 128 -> 10)", mlp, [
        ("minigrad / numpy", mlp["minigrad"] / mlp["numpy"], 1.25, "lower"),
        ("PyTorch / minigrad", mlp["torch"] / mlp["minigrad"] if "torch" in mlp else None, 0.0, "higher"),
    ])
    seconds = import_time()
    print(f"\nimport minigrad: {seconds * 1000:.0f} ms (target <= 250 ms) {'OK' if seconds <= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
