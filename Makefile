# Everyseat's commands. Every target creates or updates the local virtualenv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint bench lock clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP) ## Start the bot (or the local console when no Slack/Teams credentials are set)
	$(BIN)/everyseat run

test: $(STAMP) ## Run the test suite (PostgreSQL tests too when EVERYSEAT_TEST_POSTGRES_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) ## Run the benchmarks and rewrite benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks

lock: ## Re-resolve the dependencies from pyproject.toml and rewrite constraints.txt
	rm -rf $(VENV).lock
	$(PYTHON) -m venv $(VENV).lock
	$(VENV).lock/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; $(VENV).lock/bin/python -m pip freeze --exclude-editable \
		| grep -v '^-e'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(VENV).lock
	@echo "constraints.txt updated: review the diff, run make test, then commit it."

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
