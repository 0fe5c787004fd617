# Two entry points, both safe to run on a fresh Debian machine (as root or with sudo):
#   make demo   install everything, then check every space of the built-in demo platform
#   make test   install everything, then run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := chromium fonts-wqy-microhei
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test system clean

system:
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || { \
	  echo "Installing Debian packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); }

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: system $(VENV)/.installed
	$(PY) -m tests.farm.demo

test: system $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf $(VENV) demo-output .pytest_cache
