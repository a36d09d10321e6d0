# Quick start: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The PostgreSQL server the suite's second pass runs on (a fresh database is made per run).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

# Gettext catalogues, compiled to .mo files (build products; README.md, Translations): the
# interface text (domain "messages") and the mapping library's words (domain "mapping").
PO     := $(wildcard service/locale/*/LC_MESSAGES/messages.po mapping/locale/*/LC_MESSAGES/mapping.po)
MO     := $(PO:.po=.mo)
EXTRACT := $(BIN)/pybabel extract --no-default-keywords --project Jejaring --copyright-holder Jejaring
UPDATE  := $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete

# Locked dependencies: requirements.lock (what the service runs on; the Dockerfile installs it)
# and requirements-dev.lock (the same pins plus the test and lint tools; make installs it).
# pip-tools writes both from pyproject.toml: `make upgrade` moves every pin to the newest release
# the ranges allow (run it weekly, then the suite), `make lock` only adds what pyproject.toml gained.
COMPILE := $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

.PHONY: install locale messages run db test test-sqlite test-postgres lint lock upgrade clean

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) locale

locale: $(MO)

# Recompiled when its .po changes; the venv (pybabel) only has to exist.
%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After adding, renaming or removing keys in the code: extract the templates (.pot) again and
# update every catalogue from them (new keys come in with an empty text to fill in; keys no
# longer found are dropped).
messages: $(STAMP)
	$(EXTRACT) -F babel.cfg -k t -o service/locale/messages.pot .
	$(UPDATE) -i service/locale/messages.pot -d service/locale -D messages
	$(EXTRACT) -F mapping/babel.cfg -k _pair -o mapping/locale/mapping.pot mapping
	$(UPDATE) -i mapping/locale/mapping.pot -d mapping/locale -D mapping

db: $(STAMP) locale
	$(BIN)/jejaring db upgrade
	$(BIN)/jejaring seed regions
	$(BIN)/jejaring seed demo

run: db
	$(BIN)/jejaring serve --host $(HOST) --port $(PORT)

test: $(STAMP) locale
	$(BIN)/python -m pytest --db=sqlite
	JEJARING_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --db=postgresql

test-sqlite: $(STAMP) locale
	$(BIN)/python -m pytest --db=sqlite

test-postgres: $(STAMP) locale
	JEJARING_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --db=postgresql

lint: $(STAMP) locale
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy models mapping service
	$(BIN)/lint-imports --no-cache
	@# The locks must hold every dependency pyproject.toml asks for (pins are left as they are).
	@cp requirements.lock $(VENV)/check.lock && cp requirements-dev.lock $(VENV)/check-dev.lock
	@$(COMPILE) --output-file $(VENV)/check.lock pyproject.toml
	@$(COMPILE) --extra test --constraint $(VENV)/check.lock --output-file $(VENV)/check-dev.lock pyproject.toml
	@sed -i 's|$(VENV)/check.lock|requirements.lock|; s|$(VENV)/check-dev.lock|requirements-dev.lock|' $(VENV)/check.lock $(VENV)/check-dev.lock
	@diff -q requirements.lock $(VENV)/check.lock && diff -q requirements-dev.lock $(VENV)/check-dev.lock \
		|| (echo "requirements*.lock are out of date: run make lock" && exit 1)

lock: $(STAMP)
	$(COMPILE) --output-file requirements.lock pyproject.toml
	$(COMPILE) --extra test --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml

upgrade: $(STAMP)
	$(COMPILE) --upgrade --output-file requirements.lock pyproject.toml
	$(COMPILE) --upgrade --extra test --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.lock
	@echo "Pins moved: run make lint test, then commit requirements*.lock"

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .pytest_cache $(MO)
