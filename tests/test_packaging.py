"""The ways in besides `make`: conda's environment.yml, Binder's postBuild, and pip on a platform
that graphviz-pure has no wheel for. Each file is checked against pyproject.toml, the one list of
what minigrad needs."""

import os
import re
import stat
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from minigrad.viz import _render

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONDA_NAMES = {"graphviz": "python-graphviz"}  # PyPI name -> conda-forge name, where they differ


def requirements(*extras):
    found = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]]
    return found


def conda_entries():
    entries = {}
    for item in ENVIRONMENT["dependencies"]:
        if isinstance(item, str):
            m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", item)
            entries[m.group(1)] = m.group(2)
    return entries


def pip_entries():
    pip = [item["pip"] for item in ENVIRONMENT["dependencies"] if isinstance(item, dict)]
    assert len(pip) == 1, "environment.yml should have one pip: section"
    return pip[0]


def test_environment_names_every_runtime_and_lab_dependency_with_its_bound():
    conda = conda_entries()
    pip = {Requirement(r).name: Requirement(r) for r in pip_entries() if not r.startswith("-")}
    missing = []
    for req in requirements("lab"):
        if req.name in pip:  # not on conda-forge: installed by pip, exactly as pyproject says
            assert (
                pip[req.name].specifier == req.specifier and pip[req.name].marker == req.marker
            ), f"environment.yml's {pip[req.name]} differs from pyproject's {req}"
            continue
        name = CONDA_NAMES.get(req.name, req.name)
        if name not in conda:
            missing.append(name)
            continue
        assert SpecifierSet(conda[name]) == req.specifier, (
            f"{name}: environment.yml says {conda[name]!r}, pyproject.toml says {str(req.specifier)!r}"
        )
    assert missing == [], f"environment.yml does not name {missing}"
    assert "-e ." in pip_entries(), "environment.yml must install minigrad itself (pip: -e .)"


def test_environment_pins_a_python_that_pyproject_allows():
    python = conda_entries()["python"]
    m = re.fullmatch(r"=(3\.\d+)", python)
    assert m, f"environment.yml should pin one Python minor version (python=3.N), not {python!r}"
    version = m.group(1)
    assert version in SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert f"Python {version}" in README, "the README's conda section should name the pinned Python"
    if os.environ.get("CI"):  # CI is what makes the pin a tested one
        assert version == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_binder_post_build_installs_and_trusts_the_lessons():
    post = ROOT / "postBuild"
    assert post.is_file() and post.stat().st_mode & stat.S_IXUSR, "postBuild must be executable"
    text = post.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    assert "jupyter trust notebooks/*.ipynb" in text
    assert "pip install --no-deps -e ." in text


# graphviz-pure 0.2.2's wheels (py3-none-<platform>) and platforms it has none for, as
# (sys.platform, platform.machine()) values Python reports there
WHEEL_PLATFORMS = [
    ("linux", "x86_64"),
    ("linux", "aarch64"),
    ("darwin", "x86_64"),
    ("darwin", "arm64"),
    ("win32", "AMD64"),
    ("win32", "ARM64"),
]
NO_WHEEL = [
    ("linux", "armv7l"),
    ("linux", "ppc64le"),
    ("linux", "s390x"),
    ("linux", "riscv64"),
    ("linux", "i686"),
    ("win32", "x86"),
    ("freebsd14", "amd64"),
    ("cygwin", "x86_64"),
    ("emscripten", "wasm32"),
]


def graphviz_pure_marker():
    [req] = [r for r in requirements() if r.name == "graphviz-pure"]
    assert req.marker is not None, "graphviz-pure must carry a platform marker (it has no sdist)"
    return req.marker


@pytest.mark.parametrize("system,machine", WHEEL_PLATFORMS + NO_WHEEL)
def test_graphviz_pure_is_required_exactly_where_its_wheel_exists(system, machine):
    env = {"sys_platform": system, "platform_machine": machine}
    expected = (system, machine) in WHEEL_PLATFORMS
    assert graphviz_pure_marker().evaluate(env) is expected
    assert _render.has_pure_wheel(system, machine) is expected  # the runtime's fix message agrees


def test_every_other_dependency_installs_everywhere():
    markers = {r.name: r.marker for r in requirements("lab", "test", "oracle")}
    assert [name for name, marker in markers.items() if marker] == ["graphviz-pure"]
    assert isinstance(graphviz_pure_marker(), Marker)


def test_oracle_skip_hint_is_the_readme_command():
    # tests/conftest.py by its path: "import conftest" may find the root one (nbval's)
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "tests_conftest", Path(__file__).with_name("conftest.py")
    )
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    command = re.search(
        r"(\S*pip install torch==\S+(?: --index-url \S+)?)", conftest.SKIP_REASON
    ).group(1)
    command = command.rstrip(")")
    assert command.startswith(".venv/bin/pip ")
    assert command in README
