# Two commands on a fresh machine: `make lab` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to run as root (containers often do) unless told it may
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: lab test notebooks figures bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.lab-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

## make lab: install minigrad and JupyterLab, then open the lessons (served from the repository
## root, so that the lessons' links to ../figures work)
lab: $(VENV)/.lab-installed
	$(BIN)/jupyter trust notebooks/*.ipynb  # our own lessons: show their stored pictures at once
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ALLOW_ROOT) notebooks/00_index.ipynb

## make test: every test (engine, pictures, widgets, lessons under nbval, browser when chromium exists)
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
