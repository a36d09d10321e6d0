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

.PHONY: install locale messages run db test test-sqlite test-postgres lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy models mapping

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .pytest_cache $(MO)
