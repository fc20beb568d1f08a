# Refrain — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PIP_FLAGS := --disable-pip-version-check -q

.PHONY: bootstrap demo test lint typecheck clean services ffmpeg chromium redis-server

bootstrap: $(STAMP) ffmpeg

# Reinstall only when the dependency list or the lock changed. constraints.txt pins
# every package (test tools included), so pip installs it as is, without resolving.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned dependencies into $(VENV) (log: $(VENV)/pip.log)…"
	@$(PY) -m pip install $(PIP_FLAGS) --no-deps -r constraints.txt > $(VENV)/pip.log 2>&1 \
	  || { cat $(VENV)/pip.log; exit 1; }
	@$(MAKE) --no-print-directory pyworld
	@$(PY) -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation -e . >> $(VENV)/pip.log 2>&1 \
	  || { cat $(VENV)/pip.log; exit 1; }
	@$(PY) -m pip check > $(VENV)/pip-check.log 2>&1; \
	  grep -v -E "$(PIP_CHECK_WAIVED)" $(VENV)/pip-check.log | grep -q . \
	  && { cat $(VENV)/pip-check.log; exit 1; } || echo "pip check: no broken requirements (waived: Basic Pitch's TensorFlow and resampy pins)"
	@touch $(STAMP)

# Basic Pitch runs on ONNX Runtime with the model its wheel ships: its TensorFlow
# requirement is never installed, and resampy 0.4.3 replaces the 0.4.2 it asks for
# (0.4.2 imports pkg_resources, which setuptools 84 no longer has). pip check
# reports exactly these two lines; anything else it reports fails the bootstrap.
PIP_CHECK_WAIVED := ^basic-pitch 0\.4\.0 (requires tensorflow|has requirement resampy)|^No broken requirements

# pyworld (the WORLD vocoder behind voice covers) is served as source only, and its build
# needs setuptools<81 while the venv pins 84: build the wheel in an isolated build
# environment with a build-only constraint, then install it without dependencies.
PYWORLD := pyworld==0.3.5
.PHONY: pyworld
pyworld:
	@$(PY) -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('pyworld') is None)" 2>/dev/null || { \
	  echo "Building $(PYWORLD) (voice covers)…"; \
	  echo "setuptools<81" > $(VENV)/build-constraints.txt; \
	  PIP_CONSTRAINT=$(CURDIR)/$(VENV)/build-constraints.txt $(PY) -m pip wheel $(PIP_FLAGS) --no-deps \
	    $(PYWORLD) -w $(VENV)/wheels >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }; \
	  $(PY) -m pip install $(PIP_FLAGS) --no-deps $(VENV)/wheels/pyworld-0.3.5-*.whl >> $(VENV)/pip.log 2>&1 \
	    || { cat $(VENV)/pip.log; exit 1; }; }

.PHONY: ffmpeg
ffmpeg:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  echo "Installing ffmpeg (audio encode/decode)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null) \
	  || echo "WARNING: could not install ffmpeg; MP3/Opus encoding will be unavailable"; }

# Headless Chromium drives the share page in the web end-to-end test.
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "Installing chromium + chromium-driver (web end-to-end test)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "WARNING: could not install chromium; the browser test will be skipped (and fail under CI)"; }

# The fault tests start private redis-server processes (stopped, restarted empty) on free ports.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing redis-server (fault tests run private Redis servers)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	  || echo "WARNING: could not install redis-server; the fault tests will be skipped (and fail under CI)"; }

demo: bootstrap
	$(VENV)/bin/refrain demo

test: bootstrap chromium redis-server
	$(PY) -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core engine config storage jobs refrain bots web

services:
	@bash .ci/services

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis
