VENV ?= .venv
PY := $(VENV)/bin/python
STEWARD := $(VENV)/bin/steward
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test test-python test-reliability test-plugin install-plugin e2e lint bench clean

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

# The Backstage plugin (backstage-plugin/): npm install from the committed package-lock.json
# (npm install rather than npm ci, as measured offline here; it keeps to the lock).
PLUGIN := backstage-plugin
PLUGIN_INSTALLED := $(PLUGIN)/node_modules/.installed
$(PLUGIN_INSTALLED): $(PLUGIN)/package.json $(PLUGIN)/package-lock.json
	cd $(PLUGIN) && npm install --no-audit --no-fund
	touch $@

install-plugin: $(PLUGIN_INSTALLED)

# type-check, lint, component tests (CI=true: no watch mode) and build of the plugin
test-plugin: $(PLUGIN_INSTALLED)
	cd $(PLUGIN) && npx tsc
	cd $(PLUGIN) && npx backstage-cli package lint --max-warnings 0
	cd $(PLUGIN) && CI=true npx backstage-cli package test
	cd $(PLUGIN) && npx backstage-cli package build

# browser test: steward demo on 127.0.0.1:7008, the plugin's dev app, headless Chromium (Debian)
e2e: $(VENV)/.installed $(PLUGIN_INSTALLED)
	$(PLUGIN)/scripts/e2e.sh

run: $(VENV)/.installed
	$(STEWARD) demo

test: install test-python test-plugin

test-python:
	$(PY) -m pytest -q

# the crash-safety suite (SIGKILLs at seeded points; a few minutes), also run by .ci/run
test-reliability: install
	$(PY) -m pytest -q -m reliability tests/reliability

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
