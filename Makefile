# Bouquet: the day-to-day commands. `make` alone lists them.
#
#   make run                 the whole stack on http://127.0.0.1:8000/ (Ctrl-C stops it)
#   make test                the whole test suite; extra pytest arguments: make test ARGS="-k orders -x"
#   make test-fast           the suite without slow and browser tests, while you work

.DEFAULT_GOAL := help
SHELL := /bin/bash
ARGS ?=

.PHONY: help run test test-fast test-browser lint bench chaos bootstrap venv services clean

help: ## list the targets
	@echo "Bouquet targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo
	@echo "Pass pytest arguments with ARGS, e.g. make test ARGS=\"-k orders -x\""

# The Procfile's processes, with the caller's environment over .env over dev.env
# (scripts/with_env.sh); honcho reads no env file of its own.
HONCHO := scripts/with_env.sh .venv/bin/honcho -f Procfile -e /dev/null

run: ## bootstrap, migrate, then the Procfile (web, worker, imports, Stripe stand-in) under honcho on http://127.0.0.1:8000/
	@scripts/bootstrap.sh
	@# Before honcho starts anything: the workers must never meet an empty schema.
	@$(HONCHO) run .venv/bin/python manage.py migrate --noinput
	@$(HONCHO) run .venv/bin/python manage.py collectstatic --noinput --verbosity 0
	@# The metric files of an earlier run's processes must not count again (config/metrics.py).
	@scripts/with_env.sh sh -c 'find "$${PROMETHEUS_MULTIPROC_DIR:-.run/metrics}" -maxdepth 1 \( -name "*.db" -o -name "slot_*.lock" \) -delete 2>/dev/null || true'
	@exec $(HONCHO) start

test: ## the whole suite, browser tests included (what CI runs); services start as needed
	@exec scripts/test.sh $(ARGS)

test-fast: ## the suite without slow and browser tests: the loop while you work
	@exec scripts/test.sh --fast $(ARGS)

test-browser: ## the browser tests alone (Chromium from Debian's packages where missing)
	@exec scripts/test.sh --browser $(ARGS)

lint: ## ruff's lint and format checks, then the import contracts (make test runs them too)
	@scripts/bootstrap.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

bench: ## measure docs/DESIGN.md section 9 (QUICK=1 for a short run); results in bench/results/
	@exec scripts/bench.sh $(ARGS)

chaos: ## kill workers, stop Redis, PostgreSQL and Stripe while orders flow, then audit; results in bench/results/
	@exec scripts/chaos.sh $(ARGS)

bootstrap: ## install and start PostgreSQL and Redis, create the bouquet role and database, and .venv
	@scripts/bootstrap.sh

venv services: bootstrap

clean: ## remove caches, collected static files and test output (keeps .venv)
	rm -rf staticfiles test-artifacts .pytest_cache .hypothesis *.egg-info
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	@# .run/ keeps redis.* while the Redis this project started is still running
	@if [ -d .run ]; then find .run -mindepth 1 ! -name 'redis.*' -delete; fi
