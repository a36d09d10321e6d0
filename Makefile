# Quick start: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The PostgreSQL server the suite's second pass runs on (a fresh database is made per run).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: install run db test test-sqlite test-postgres lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

db: $(STAMP)
	$(BIN)/jejaring db upgrade
	$(BIN)/jejaring seed regions
	$(BIN)/jejaring seed demo

run: db
	$(BIN)/jejaring serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest --db=sqlite
	JEJARING_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --db=postgresql

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest --db=sqlite

test-postgres: $(STAMP)
	JEJARING_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --db=postgresql

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy models mapping

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .pytest_cache
