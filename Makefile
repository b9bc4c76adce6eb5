# Two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgresql lint format clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: $(BIN)/.installed-dev
	$(BIN)/ruff check portal tests
	$(BIN)/python -m pytest -n 2
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$PORTAL_TEST_DATABASE_URL)"; \
		PORTAL_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n 2 -m "not e2e"; \
	else \
		echo "== PostgreSQL run skipped: set PORTAL_TEST_DATABASE_URL to run the suite on PostgreSQL too"; \
	fi

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check portal tests
	$(BIN)/ruff format --check portal tests

format: $(BIN)/.installed-dev
	$(BIN)/ruff format portal tests
	$(BIN)/ruff check --fix portal tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
