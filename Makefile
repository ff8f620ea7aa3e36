VENV ?= .venv
PY := $(VENV)/bin/python
STEWARD := $(VENV)/bin/steward
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test test-python lint bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,demo]'
	touch $@

# Stoplight Prism (Node) for the PagerDuty contract tests, pinned by tests/prism/package-lock.json
PRISM_INSTALLED := tests/prism/node_modules/.installed
$(PRISM_INSTALLED): tests/prism/package.json tests/prism/package-lock.json
	cd tests/prism && npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed $(PRISM_INSTALLED)

run: $(VENV)/.installed
	$(STEWARD) demo

test: install test-python

test-python:
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
