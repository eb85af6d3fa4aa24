"""Re-execute the lesson notebooks in place: the only way their committed outputs are produced.

    python tools/run_notebooks.py                  # every notebooks/*.ipynb
    python tools/run_notebooks.py notebooks/03_gradients.ipynb ...

Each notebook runs top to bottom in a fresh kernel of *this* Python (the one running the script,
whatever kernelspecs are installed), with notebooks/ as the working directory, exactly as
``pytest --nbval --nbval-current-env`` runs it. Any error, or any text on stderr (a warning:
nbval compares stderr), stops everything with a non-zero exit status, and that notebook is not
written. Afterwards the widget state that nbclient stores in the notebook's metadata is removed
(it holds random model ids and would make every diff noisy), and so is each output's live widget
view (``application/vnd.jupyter.widget-view+json``): without its state, JupyterLab could only show
"Error displaying widget: model not found" there. What stays is the picture every minigrad widget
puts in its display bundle (SVG or HTML) with its text, so an opened lesson shows each widget's
picture until its cell is run, and the output's ``minigrad-widget`` metadata still says it came
from a widget. Timings are printed per notebook.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}


class _ThisPython(KernelSpecManager):
    """'python3' always means an ipykernel in the Python running this script."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == KERNEL_NAME:
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES,
                **ipykernel.kernelspec.get_kernel_dict(),
            )
        return super().get_kernel_spec(kernel_name)


def execute(path, timeout=120):
    """Run one notebook in place; return the seconds it took. Raises on any cell error."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=_ThisPython())
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    with tempfile.TemporaryDirectory() as sockets:
        if os.name == "posix":  # local sockets: over TCP every kernel prints a warning
            km.transport, km.ip = "ipc", os.path.join(sockets, "kernel")
        start = time.perf_counter()
        try:
            client.execute()
        finally:  # nbclient leaves a kernel it did not create running: stop it
            if client.kc is not None:
                client.kc.stop_channels()
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", ()):
            output.get("data", {}).pop(WIDGET_VIEW, None)
            if output.get("name") == "stderr":  # a warning: nbval would compare it, so fix it
                raise CellExecutionError(
                    f"a cell wrote to stderr:\n{cell.source}\n--- stderr ---\n{output.text}",
                    "stderr",
                    output.text,
                )
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: every notebooks/*.ipynb)",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks found in {NOTEBOOKS}")
    total = 0.0
    for path in paths:
        try:
            seconds = execute(path)
        except CellExecutionError as error:
            print(f"FAILED {path}:\n{error}", file=sys.stderr)
            sys.exit(1)
        total += seconds
        print(f"{seconds:6.2f} s  {path.name}")
    print(f"{total:6.2f} s  total ({len(paths)} notebooks)")


if __name__ == "__main__":
    main()
