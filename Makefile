# villagebot — `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint locales install system-deps clean deploy-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The bot on its embedded default (SQLite); with no BOT_TOKEN, the local sandbox and its web chat.
run: $(STAMP)
	$(BIN)/villagebot run

## Browser tests need Debian's chromium and chromedriver; installed when we may (root with apt).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and chromium-driver (browser test)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium/chromedriver missing: the browser test will be skipped"; fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -n 3 --dist loadfile --durations=25

lint: $(STAMP)
	$(BIN)/ruff check .

## Each writes its figures to stdout; docs/BENCHMARKS.md records them with machine and date.
bench: $(STAMP)
	$(BIN)/python bench/bench_criteria.py
	$(BIN)/python bench/bench_criteria_kfold.py
	$(BIN)/python bench/bench_footprint.py
	$(BIN)/python bench/bench_inbox.py
	$(BIN)/python bench/bench_fairness.py --pg
	$(BIN)/python bench/bench_broadcast.py
	$(BIN)/python bench/bench_contributions.py
	$(BIN)/python bench/bench_visits.py
	$(BIN)/python bench/bench_consultations.py
	$(BIN)/python bench/bench_org_import.py 25
	$(BIN)/python bench/bench_multiprocess.py
	$(BIN)/python bench/bench_multibot.py --pg
	$(BIN)/python bench/bench_multibot.py --latency
	$(BIN)/python bench/bench_files.py
	$(BIN)/python bench/bench_slow_connections.py
	$(BIN)/python bench/bench_zalo.py
	$(BIN)/python bench/bench_webhook.py
	$(BIN)/python bench/bench_national.py --scale 0.005
	$(BIN)/python bench/score_holdout.py
	$(BIN)/python bench/score_dev.py

## Follow docs/DEPLOY.md literally on this machine (temporary folders; system changes only shown).
deploy-check: $(STAMP)
	$(BIN)/python scripts/follow_deploy.py

## Re-extract messages into locales/*/messages.po (then translate the new Vietnamese entries).
locales: $(STAMP)
	$(BIN)/python scripts/update_locales.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
