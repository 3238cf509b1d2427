# Bouquet: the day-to-day commands. `make` alone lists them.
#
#   make run                 the whole stack on http://127.0.0.1:8000/ (Ctrl-C stops it)
#   make test                the test suite; extra pytest arguments: make test ARGS="-k orders -x"

.DEFAULT_GOAL := help
SHELL := /bin/bash
ARGS ?=

.PHONY: help run test bench chaos venv services clean

help: ## list the targets
	@echo "Bouquet targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo
	@echo "Pass pytest arguments with ARGS, e.g. make test ARGS=\"-k orders -x\""

run: ## start PostgreSQL, Redis, the Stripe stand-in, gunicorn and the workers
	@exec scripts/run.sh

test: ## run the test suite (services and the Stripe stand-in start as needed)
	@exec scripts/test.sh $(ARGS)

bench: ## measure docs/DESIGN.md section 9 (QUICK=1 for a short run); results in bench/results/
	@exec scripts/bench.sh $(ARGS)

chaos: ## kill workers, stop Redis, PostgreSQL and Stripe while orders flow, then audit; results in bench/results/
	@exec scripts/chaos.sh $(ARGS)

venv: ## create .venv and install the project with its dev tools
	@scripts/ensure_venv.sh

services: ## make sure PostgreSQL and Redis run, with the bouquet role and database
	@scripts/ensure_services.sh

clean: ## remove caches, collected static files, test output and leftover stand-ins (keeps .venv)
	@scripts/localstripe.sh stop 8420
	@scripts/localstripe.sh stop 8421
	rm -rf staticfiles test-artifacts .pytest_cache .hypothesis *.egg-info
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	@# .run/ keeps redis.* while the Redis this project started is still running
	@if [ -d .run ]; then find .run -mindepth 1 ! -name 'redis.*' -delete; fi
