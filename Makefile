# Portal Layanan Publik — the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The first interpreter that is Python >= 3.12 (Django 6.1). pyenv's shims for
# python3.12 exist but fail, hence the version check rather than `command -v`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
# django-celery-beat 2.9 caps Django below 6.1 in its metadata while working on it:
# installed without its pins; its dependencies are in pyproject.toml.
INSTALL_NODEPS := "django-celery-beat>=2.9,<3"
PIP := $(PY) -m pip --disable-pip-version-check -q

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_MQTT_URL ?= mqtt://127.0.0.1:1883
ONLY ?=

.PHONY: help run test bench lint install install-dev messages clean

help:
	@echo "make run    — install, migrate, seed demo data and start web + worker + beat (http://127.0.0.1:8000)"
	@echo "make test   — install test tools and run the whole suite on PostgreSQL, Redis and Mosquitto"
	@echo "make bench  — run the benchmarks (ONLY=<name> for one); results in bench/results/"
	@echo "make lint   — ruff"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed (Django 6.1). Install it (e.g. pyenv install 3.12) and retry."; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	$(PIP) install --no-deps $(INSTALL_NODEPS)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -e ".[dev]"
	$(PIP) install --no-deps $(INSTALL_NODEPS)
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0

run: install messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@bash scripts/run.sh

test: install-dev messages
	bash scripts/ensure_services.sh --chromium
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	MQTT_URL=$${MQTT_URL:-$(TEST_MQTT_URL)} \
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev messages
	bash scripts/ensure_services.sh
	$(PY) -m bench.run $(if $(ONLY),--only $(ONLY))

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check portal infrastructure notifications leave learning gamification

clean:
	rm -rf var/static var/cache var/celery
