# Two commands on a fresh machine: `make lab` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to run as root (containers often do) unless told it may
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: lab test lint notebooks figures bench clean

# pip prints one line per package it collects, so a first install (20-80 s) shows its progress.
# setuptools' "Editable installation" notice (a boxed warning about folders named like the
# package, which is exactly our minigrad/ folder) is informational only: it is filtered out.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip --disable-pip-version-check
say = @printf '\n==> %s\n' $(1)

$(BIN)/python:
	$(call say,"creating $(VENV) with $$($(PYTHON) --version)")
	$(PYTHON) -m venv $(VENV)
	$(call say,"upgrading pip in $(VENV)")
	$(PIP) install --quiet --upgrade pip

$(VENV)/.lab-installed: pyproject.toml | $(BIN)/python
	$(call say,"installing minigrad and JupyterLab into $(VENV) (first time: about a minute)")
	$(PIP) install --progress-bar on -e ".[lab]"
	@touch $@
	$(call say,"installed")

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(call say,"installing minigrad and the test tools into $(VENV) (first time: about a minute)")
	$(PIP) install --progress-bar on -e ".[test]"
	@touch $@
	$(call say,"installed")

## make lab: install minigrad and JupyterLab, then open the lessons (served from the repository
## root, so that the lessons' links to ../figures work)
lab: $(VENV)/.lab-installed
	@$(BIN)/jupyter trust notebooks/*.ipynb >/dev/null  # our lessons: stored pictures as SVG, not PNG
	$(call say,"starting JupyterLab on notebooks/00_index.ipynb (Ctrl+C twice to stop)")
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ALLOW_ROOT) notebooks/00_index.ipynb

## make test: every test (engine, pictures, widgets, lessons under nbval, browser when chromium exists)
# two workers, one test file each at a time; all browser test files together on one worker (one
# JupyterLab server and one Chromium per run; see the xdist note in conftest.py)
PYTEST_ARGS ?= -n 2 --dist loadfile
test: $(VENV)/.test-installed
	$(call say,"running every test (engine, pictures, widgets, lessons, browser)")
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff's checks and its formatter, as configured in pyproject.toml (CI runs it first)
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make notebooks: re-execute every lesson in place (the only way outputs are produced)
notebooks: $(VENV)/.test-installed
	$(BIN)/python tools/run_notebooks.py

## make figures: redraw figures/ from the code
figures: $(VENV)/.test-installed
	$(BIN)/python -m minigrad.viz.figures figures

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@

## make bench: speed, each library in its own process (minigrad, numpy by hand, PyTorch, autograd,
## MyGrad), then pictures and widgets, and each lesson top to bottom
bench: $(VENV)/.bench-installed
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/viz.py
	$(BIN)/python bench/widgets.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
