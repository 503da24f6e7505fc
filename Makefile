# Salvo. `make build` and `make test` set everything up on first use (a .venv beside this file).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
APT := DEBIAN_FRONTEND=noninteractive apt-get
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build serve check test lint bench browser clean

build: $(VENV)/.runtime
	$(BIN)/python build.py build

serve: $(VENV)/.runtime
	$(BIN)/python build.py serve

check: $(VENV)/.runtime
	$(BIN)/python build.py check

# -n auto: pytest-xdist runs the tests on every core.
test: $(VENV)/.dev browser lint
	$(BIN)/python -m pytest -q -n auto

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py

$(VENV)/.runtime: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PIP) -r requirements-dev.lock
	touch $@

# Debian's Chromium for the browser tests (never a browser download), and Java for the HTML checker.
browser:
	@command -v chromium >/dev/null || { $(SUDO) $(APT) update -qq && \
	  $(SUDO) $(APT) install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }
	@command -v java >/dev/null || { $(SUDO) $(APT) update -qq && \
	  $(SUDO) $(APT) install -y -qq --no-install-recommends default-jre-headless >/dev/null; }

clean:
	rm -rf public .public.salvo-* test-results
