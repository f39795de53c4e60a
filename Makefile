# Two commands for a fresh clone (README):  make run  ·  make test
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev translations bench clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

## Install, create the SQLite database, load the demo province, serve on http://127.0.0.1:5000
run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host $(HOST) --port $(PORT)

## Install the test tools and run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: setup-dev
	$(PY) -m pytest

translations: setup
	$(FLASK) translate update
	$(FLASK) translate compile

clean:
	rm -rf $(VENV) instance
