# Refrain — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PIP_FLAGS := --disable-pip-version-check -q

.PHONY: bootstrap demo test lint typecheck clean services

bootstrap: $(STAMP) ffmpeg

# Reinstall only when the dependency list or the lock changed. constraints.txt pins
# every package (test tools included), so pip installs it as is, without resolving.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned dependencies into $(VENV) (log: $(VENV)/pip.log)…"
	@$(PY) -m pip install $(PIP_FLAGS) --no-deps -r constraints.txt > $(VENV)/pip.log 2>&1 \
	  || { cat $(VENV)/pip.log; exit 1; }
	@$(PY) -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation -e . >> $(VENV)/pip.log 2>&1 \
	  || { cat $(VENV)/pip.log; exit 1; }
	$(PY) -m pip check
	@touch $(STAMP)

.PHONY: ffmpeg
ffmpeg:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  echo "Installing ffmpeg (audio encode/decode)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null) \
	  || echo "WARNING: could not install ffmpeg; MP3/Opus encoding will be unavailable"; }

demo: bootstrap
	$(VENV)/bin/refrain demo

test: bootstrap
	$(PY) -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core config storage

services:
	@bash .ci/services

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis
