"""The oracle gate itself: without PyTorch, oracle tests skip with a reason, unless
MINIGRAD_REQUIRE_ORACLE=1 (CI), where each of them fails. Checked in a child pytest in which
``import torch`` is made to fail."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TARGETS = [
    "tests/test_engine_printing.py::test_repr_and_str_match_pytorch[scalar]",  # uses the fixture
    "tests/test_engine_errors.py::test_error_matches_pytorch[item_of_many]",  # marked explicitly
]


def _child_pytest(tmp_path, require):
    (tmp_path / "block_torch.py").write_text("import sys\nsys.modules['torch'] = None\n")
    env = dict(os.environ)
    env.pop("MINIGRAD_REQUIRE_ORACLE", None)
    if require:
        env["MINIGRAD_REQUIRE_ORACLE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path)] + [p for p in [env.get("PYTHONPATH")] if p])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *TARGETS,
            "-p",
            "block_torch",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rsf",
            "--no-header",
        ],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_oracle_tests_skip_with_a_reason_without_torch(tmp_path):
    code, output = _child_pytest(tmp_path, require=False)
    assert code == 0, output
    assert "2 skipped" in output
    assert "PyTorch is not installed" in output


def test_oracle_tests_fail_without_torch_when_required(tmp_path):
    code, output = _child_pytest(tmp_path, require=True)
    assert code == 1, output
    assert "2 failed" in output and "skipped" not in output
    assert "MINIGRAD_REQUIRE_ORACLE=1 but PyTorch cannot be imported" in output


def test_torch_is_importable_when_ci_requires_it():
    if os.environ.get("MINIGRAD_REQUIRE_ORACLE") != "1":
        pytest.skip("only meaningful where MINIGRAD_REQUIRE_ORACLE=1 (CI)")
    import torch  # noqa: F401
