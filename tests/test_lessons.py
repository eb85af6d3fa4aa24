"""The lesson notebooks: they hold the whole seed tutorial, are committed executed, and nbval
checks every one of them.

nbval itself re-runs the notebooks (``--nbval`` is in pytest's addopts, ``notebooks`` in
testpaths); these tests check what nbval cannot: the seed's code is all there, verbatim, in the
lesson that mirrors its section; the committed outputs are complete and clean; nbval collects every
lesson and skips nothing but the optional PyTorch cells, which in turn stay quiet without PyTorch.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from test_engine_seed import SEED_TEXT, parse_cells  # the vendored seed and its cell parser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = [
    "01_tensors.ipynb",
    "02_graphs.ipynb",
    "03_gradients.ipynb",
    "04_no_grad.ipynb",
    "05_dynamic_graphs.ipynb",
    "06_jacobians.ipynb",
    "07_training.ipynb",
    "08_seed_verbatim.ipynb",
    "09_autograd_mechanics.ipynb",
]
VERBATIM = "08_seed_verbatim.ipynb"
ALL = ["00_index.ipynb", *LESSONS, "solutions.ipynb"]
# the seed's section headings -> the lesson that mirrors that section
SECTION_LESSON = {
    None: "01_tensors.ipynb",  # the introduction, before the first heading
    "Tensors, Functions and Computational Graphs": "02_graphs.ipynb",
    "Computing Gradients": "03_gradients.ipynb",
    "Disabling Gradient Tracking": "04_no_grad.ipynb",
    "More on Computational Graphs": "05_dynamic_graphs.ipynb",
    "Optional Reading: Tensor Gradients and Jacobian Products": "06_jacobians.ipynb",
}
TORCH_CELL = "import torch as real_torch"


def _notebook(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code_cells(name):
    return [c for c in _notebook(name).cells if c.cell_type == "code"]


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


# -- the seed ---------------------------------------------------------------------------------------
def sections(text):
    """{cell number: the markdown heading (``# ...``) above it, None before the first}."""
    found, section = {}, None
    for line in text.splitlines():
        heading = re.fullmatch(r"# (.+)", line.strip())
        if heading:
            section = heading.group(1).strip()
        start = re.fullmatch(r"In \[(\d+)\]:", line.strip())
        if start:
            found[int(start.group(1))] = section
    return found


def as_minigrad(code):
    """The seed's code as the lessons run it: the import line is the only change."""
    return "\n".join(
        "import minigrad as torch" if line.strip() == "import torch" else line
        for line in code.splitlines()
    )


@pytest.fixture(scope="module")
def seed_cells():
    """``[(number, section, code)]``, parsed by the engine's seed test (the same rules: a cell
    starts after ``In [N]:``; its code runs to the first blank line, plus any following paragraphs
    that are code, since the first cell has blank lines inside)."""
    section_of = sections(SEED_TEXT)
    return [(cell.number, section_of[cell.number], cell.code) for cell in parse_cells(SEED_TEXT)]


def test_the_seed_parses_into_its_eight_code_cells(seed_cells):
    assert [n for n, _, _ in seed_cells] == [1, 2, 3, 4, 5, 6, 7, 18]
    first = seed_cells[0][2]
    assert first.startswith("import torch\n\nx = torch.ones(5)") and first.endswith(
        "print('z:', z)"
    )
    assert seed_cells[4][2] == "z = torch.matmul(x, w) + b\nz.requires_grad"
    assert seed_cells[-1][2].endswith(
        "inp.grad.zero_()\nout.backward(torch.ones_like(out), retain_graph=True)\ninp.grad"
    )
    assert {section for _, section, _ in seed_cells} <= set(SECTION_LESSON)


def test_every_seed_cell_is_in_the_lesson_of_its_section(seed_cells):
    for number, section, code in seed_cells:
        lesson = SECTION_LESSON[section]
        wanted = _normal(as_minigrad(code))
        sources = [_normal(c.source) for c in _code_cells(lesson)]
        assert any(wanted in s for s in sources), (
            f"seed cell In [{number}] ({section or 'introduction'}) is not verbatim in {lesson}"
        )


def test_the_verbatim_notebook_runs_every_seed_cell_in_order(seed_cells):
    sources = [_normal(c.source) for c in _code_cells(VERBATIM)]
    assert sources == [_normal(as_minigrad(code)) for _, _, code in seed_cells]


# -- committed outputs --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_notebook_is_committed_executed_in_order(name):
    cells = [c for c in _code_cells(name) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    assert None not in counts, f"{name}: some code cells were never executed (run make notebooks)"
    assert counts == list(range(1, len(cells) + 1)), (
        f"{name}: execution counts {counts} are not 1, 2, 3...: re-run it top to bottom"
    )
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"{name}: committed with an error:\n{cell.source}"
            assert output.get("name") != "stderr", (
                f"{name}: committed with stderr output (nbval compares it):\n{cell.source}"
            )
    nb = _notebook(name)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata, f"{name}: widget state left in the metadata"


@pytest.mark.parametrize("name", LESSONS + ["solutions.ipynb"])
def test_every_lesson_has_code_and_outputs(name):
    cells = _code_cells(name)
    assert cells and any(c.outputs for c in cells)


# -- what nbval runs ------------------------------------------------------------------------------------
def _marker(cell):
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    found = re.findall(r"#\s*(NBVAL_\w+)", first)
    tags = [
        t.replace("-", "_").upper() for t in cell.metadata.get("tags", []) if t.startswith("nbval")
    ]
    return found + tags


def test_nbval_collects_every_code_cell_of_every_lesson():
    """``make test`` runs pytest with the addopts of pyproject.toml: they must switch nbval on,
    and nbval must collect each lesson with every one of its code cells."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {}
    for line in result.stdout.splitlines():
        match = re.match(r"notebooks/([\w.]+\.ipynb)::Cell \d+$", line.strip())
        if match:
            collected[match.group(1)] = collected.get(match.group(1), 0) + 1
    for name in LESSONS + ["solutions.ipynb"]:
        assert collected.get(name) == len(_code_cells(name)), (
            f"nbval collects {collected.get(name, 0)} cells of {name}, which has {len(_code_cells(name))}"
        )


def test_only_the_optional_pytorch_cells_are_skipped():
    for name in ALL:
        for cell in _code_cells(name):
            markers = _marker(cell)
            is_torch = TORCH_CELL in cell.source
            assert ("NBVAL_SKIP" in markers) == is_torch, (
                f"{name}: NBVAL_SKIP is only for the optional PyTorch cells:\n{cell.source}"
            )
            if is_torch:
                assert "except ImportError" in cell.source


def test_ignored_outputs_are_rare_and_only_timings():
    ignored = [
        (name, cell)
        for name in ALL
        for cell in _code_cells(name)
        if "NBVAL_IGNORE_OUTPUT" in _marker(cell)
    ]
    assert len(ignored) <= 2, [name for name, _ in ignored]
    for name, cell in ignored:
        assert "timeit" in cell.source, f"{name}: NBVAL_IGNORE_OUTPUT on a cell that is no timing"


def test_no_stray_markers_in_the_middle_of_cells():
    """nbval reads a marker only on the first line; elsewhere it would be a silent no-op."""
    for name in ALL:
        for cell in _code_cells(name):
            rest = "\n".join(cell.source.splitlines()[1:])
            assert "NBVAL_" not in rest, f"{name}: a marker below the first line:\n{cell.source}"


def test_pytorch_cells_stay_quiet_without_pytorch():
    """Each optional cell, run where ``import torch`` fails: one short line, no error, no stderr."""
    block_torch = "import sys; sys.modules['torch'] = None\n"  # import torch -> ImportError
    for name in ALL:
        for cell in _code_cells(name):
            if TORCH_CELL not in cell.source:
                continue
            result = subprocess.run(
                [sys.executable, "-c", block_torch + cell.source],
                cwd=NOTEBOOKS,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0 and result.stderr == "", (name, result.stderr)
            assert result.stdout == "PyTorch is not installed: nothing to compare.\n", result.stdout


def test_the_sanitize_file_replaces_memory_addresses():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((NOTEBOOKS / "sanitize.cfg").read_text())
    assert patterns
    text = "<AddBackward0 object at 0x7f3a2b1c9d50>"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    assert text == "<AddBackward0 object at 0xADDR>"
    addopts = re.search(r'^addopts\s*=\s*"(.*)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert addopts and "--nbval-sanitize-with notebooks/sanitize.cfg" in addopts.group(1)


# -- exercises in the notebooks ---------------------------------------------------------------------------
def _check_cells(name):
    return [c for c in _code_cells(name) if re.search(r'^check\("', c.source, re.M)]


def _check_key(cell):
    return re.search(r'^check\("([\w.]+)"', cell.source, re.M).group(1)


def _plain(cell):
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)


EXERCISE_LESSONS = [name for name in LESSONS if name != VERBATIM]


@pytest.mark.parametrize("name", EXERCISE_LESSONS)
def test_lesson_exercises_ship_unanswered(name):
    cells = _check_cells(name)
    assert 2 <= len(cells) <= 4, f"{name} has {len(cells)} exercises"
    number = int(name[:2])
    for cell in cells:
        assert _check_key(cell).startswith(f"lesson{number}.")
        assert re.search(r"^answer = \.\.\.  # your code here$", cell.source, re.M), cell.source
        assert "Not answered yet" in _plain(cell), f"{name}: {cell.source}"
        assert all(o.output_type == "execute_result" for o in cell.outputs)


def test_the_solutions_answer_every_exercise_correctly():
    from minigrad.exercises import keys

    lesson_keys = [_check_key(c) for name in LESSONS for c in _check_cells(name)]
    assert sorted(lesson_keys) == sorted(keys()), "every exercise appears in exactly one lesson"
    solved = {_check_key(c): c for c in _check_cells("solutions.ipynb")}
    assert sorted(solved) == sorted(keys())
    for key, cell in solved.items():
        assert "answer = ..." not in cell.source
        assert _plain(cell).startswith(f"✔ {key}: Correct!"), f"{key}: {_plain(cell)}"


# -- links ---------------------------------------------------------------------------------------------
def test_index_and_readme_link_every_notebook():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    index = json.dumps(_notebook("00_index.ipynb").cells)
    for name in LESSONS + ["solutions.ipynb"]:
        assert f"({name})" in readme, f"README.md does not link {name}"
        assert f"({name})" in index, f"00_index.ipynb does not link {name}"


def test_relative_links_in_markdown_resolve():
    for name in ALL:
        for cell in _notebook(name).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", cell.source):
                if "://" in target or target.startswith("#"):
                    continue
                assert (NOTEBOOKS / target.split("#")[0]).exists(), f"{name}: broken link {target}"


# -- make notebooks ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, shown",
    [
        ("1 / 0", "ZeroDivisionError"),
        ("import warnings\nwarnings.warn('careful')", "a cell wrote to stderr"),
    ],
)
def test_run_notebooks_fails_loudly_and_writes_nothing(tmp_path, source, shown):
    path = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('fine')"), nbformat.v4.new_code_cell(source)]
    )
    nbformat.write(nb, path)
    before = path.read_text()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_notebooks.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"FAILED {path}" in result.stderr and shown in result.stderr
    assert path.read_text() == before
