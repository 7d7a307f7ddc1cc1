# JXC: the README's commands. Everything runs inside .venv, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run serve test bench bench-quick soak lint format install install-dev messages guide-images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: fresh machine to a running shop with demo data on http://127.0.0.1:8000
run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

## serve: the shop on this PC for every device on its LAN (gunicorn, debug off; README)
serve: install
	$(BIN)/python -m jxc.serve

## test: the whole suite (DATABASE_URL if set, else SQLite); browser tests when Chromium is present
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

## guide-images: renew the user guide's screenshots (guide/static/guide/) from the real screens
guide-images: install-dev
	JXC_GUIDE_IMAGES=1 $(BIN)/pytest guide/tests/test_screens.py -p no:cacheprovider

## bench: chain-store benchmarks on PostgreSQL (~7 min); results in bench/results, docs/benchmarks.md
bench: install-dev
	$(BIN)/python -m bench.run

## bench-quick: the same benchmark code on small data (~1 min); CI runs it
bench-quick: install-dev
	$(BIN)/python -m bench.run --quick

## soak: 20 clerks and 2 owners for 10 min through gunicorn on PostgreSQL, then an audit (docs/reliability.md)
soak: install-dev
	$(BIN)/python -m bench.soak

## lint: ruff check and format check
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: refresh and compile the Chinese catalogue (needs GNU gettext)
messages: install-dev
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore=.venv --ignore=staticfiles --ignore=bench
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
