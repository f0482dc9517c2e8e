# Sysmo Tickets. `make run` for the demo (SQLite, no services), `make test` for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run install migrate demo test test-pg lint messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || (echo "Python 3.11 or newer is required" && exit 1)
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

# The links in the demo's emails follow HOST (SITE_URL), and the host answers (ALLOWED_HOSTS), unless set.
run: demo
	DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST)} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(firstword $(subst :, ,$(HOST)))} \
	  $(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/pytest

test-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sysmo} $(BIN)/pytest

lint: install
	$(BIN)/ruff check .

messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
