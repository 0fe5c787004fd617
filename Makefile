# Two entry points, both safe to run on a fresh Debian machine (as root or with sudo):
#   make demo   install everything, then check every space of the built-in demo platform
#   make test   install everything, then run the test suite
# (make serve-demo: the self-check page on the demo platform)
VENV ?= .venv
PY := $(VENV)/bin/python
# libgl1 and libglib2.0-0: OpenCV (used by the title-card OCR) loads them at import.
# redis-server: the distributed sweep's tests start their own on a free port (never the system one).
APT_PACKAGES := chromium fonts-wqy-microhei libgl1 libglib2.0-0 redis-server
# npm (for axe-core in the tests) from Debian only where no Node.js is installed already.
NODE_PACKAGES := $(if $(shell command -v npm 2>/dev/null),,nodejs npm)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo serve-demo test system clean

system:
	@{ dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 && [ -z "$(NODE_PACKAGES)" ]; } || { \
	  echo "Installing Debian packages: $(APT_PACKAGES) $(NODE_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) $(NODE_PACKAGES); }

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: system $(VENV)/.installed
	$(PY) -m tests.farm.demo

# The self-check page (spacebot serve) on the demo platform, http://127.0.0.1:8000/ until Ctrl+C.
serve-demo: system $(VENV)/.installed
	$(PY) -m tests.farm.demo --serve

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: system $(VENV)/.installed node_modules/axe-core/axe.min.js
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf $(VENV) demo-output .pytest_cache
