# `make demo` and `make test` work on a fresh machine: they create .venv and install what they need.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test lint test-sqlite test-postgres system-deps worker web bench clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# Test and tooling packages (pytest, Playwright, ruff ...) only where tests run.
$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# PostgreSQL 15 and Chromium come from Debian; installed only when missing.
system-deps:
	@missing=""; \
	test -x /usr/lib/postgresql/15/bin/initdb || missing="$$missing postgresql-15"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: $(BIN)/.installed
	COMEBACK_DEMO=1 $(BIN)/flask --app app demo

test: $(BIN)/.installed-dev system-deps lint test-sqlite test-postgres

lint: $(BIN)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test-sqlite: $(BIN)/.installed-dev
	$(BIN)/python -m pytest

test-postgres: $(BIN)/.installed-dev system-deps
	TEST_DATABASE=postgres $(BIN)/python -m pytest -m "not browser"

web: $(BIN)/.installed
	$(BIN)/gunicorn -w 2 -b 127.0.0.1:5000 'app:create_app()'

worker: $(BIN)/.installed
	$(BIN)/flask --app app worker

# Figures, not pass/fail: each script prints ratios against a baseline measured in the same run.
bench: $(BIN)/.installed-dev system-deps
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/send.py
	$(BIN)/python bench/planning.py
	$(BIN)/python bench/new_automation.py
	$(BIN)/python bench/vitals.py
	$(BIN)/python bench/recovery.py

clean:
	rm -rf $(VENV) instance .pytest_cache
