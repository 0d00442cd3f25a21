# Jiuzhu: `make run` starts everything on a fresh machine; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests use: LibreOffice for PDF, the Noto CJK SC faces it prints Chinese with
# (fontconfig's fc-match finds them for the font tests), Chromium for browser tests,
# zbar to decode barcodes, poppler for PDF checks, PostgreSQL 15 for the second database run,
# Node.js to check that the browser form runtime agrees with the server, redis-server for the
# worker tests on Redis (tests start a throwaway one; the system service is not used).
# make run installs only RUN_DEBS, what printing needs; make test all of DEBS
RUN_DEBS := libreoffice-writer-nogui python3-uno fonts-noto-cjk fontconfig
DEBS   := $(RUN_DEBS) chromium libzbar0 poppler-utils postgresql-15 nodejs redis-server

.PHONY: run test test-sqlite test-postgres sysdeps sysdeps-run lint bench bench-scale load clean

$(BIN)/.installed: setup.cfg pyproject.toml
	@echo "installing Jiuzhu and its Python packages into $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -e '.[test,prod]'
	@touch $@

sysdeps: DEBS_NEEDED = $(DEBS)
sysdeps-run: DEBS_NEEDED = $(RUN_DEBS)
sysdeps sysdeps-run:
	@missing=$$(for p in $(DEBS_NEEDED); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# migrates, loads the demo if the database is empty, serves (gunicorn) with the worker; prints the
# URL and the demo logins; Ctrl-C stops both and make exits 0 (server/launcher.py)
run: $(BIN)/.installed sysdeps-run
	@$(BIN)/jiuzhu run --host $(HOST) --port $(PORT)

test: $(BIN)/.installed sysdeps test-sqlite test-postgres

# the suite runs on one pytest-xdist worker per core (each with its own temporary directory,
# SQLite files and, on PostgreSQL, its own database: tests/conftest.py); TEST_WORKERS=0 runs
# it in one process
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

test-sqlite: $(BIN)/.installed
	$(PYTEST)

test-postgres: $(BIN)/.installed
	$(BIN)/python tests/pg_cluster.py -- $(PYTEST) -p no:cacheprovider

lint: $(BIN)/.installed
	$(BIN)/ruff check server tests benchmarks

# every benchmark at the default scale (about 10 minutes on 2 cores), then one summary table of
# all their figures with baselines and ratios (benchmarks/out/*.json); a failing figure does not
# stop the others, the summary's exit status says whether every target is met
bench: $(BIN)/.installed
	-$(BIN)/python benchmarks/run.py
	-[ ! -f benchmarks/intake.py ] || $(BIN)/python benchmarks/intake.py
	-$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/summary.py

# county scale: the filings of 200,000 households and the search at 1,000,000 cases on a
# throwaway PostgreSQL cluster
bench-scale: $(BIN)/.installed
	-$(BIN)/python benchmarks/run.py --households 200000
	-$(BIN)/python tests/pg_cluster.py -- $(BIN)/python benchmarks/search.py --cases 1000000
	$(BIN)/python benchmarks/summary.py

# against a running `make run` (another terminal): CLERKS simulated clerks for DURATION seconds
CLERKS  ?= 50
DURATION ?= 60
load: $(BIN)/.installed
	$(BIN)/python benchmarks/load.py --url http://$(HOST):$(PORT) --clerks $(CLERKS) --seconds $(DURATION)

clean:
	rm -rf $(VENV) instance .pytest_cache
