# Vigie: one target per job. `make demo` and `make test` install what they need into .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Leave empty where pip finds the CPU wheel of torch 2.13.0 by itself (as on our machines); elsewhere:
#   make TORCH_INDEX=https://download.pytorch.org/whl/cpu install
TORCH_INDEX ?=
STAMP := $(VENV)/.installed

.PHONY: install demo test test-pg test-slow test-reliability lint typecheck unit bench bench-backtest clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first, so that nothing later resolves torch to a CUDA build.
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/radar demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy radar collectors

unit: install
	$(BIN)/python -m pytest -m "not slow and not reliability" -q

test: lint typecheck unit

# The tests whose store comes from the `home` fixture (CLI, API, worker, dashboard, doctor, data care) again,
# each on a fresh PostgreSQL database (tests/conftest.py); the store tests already run on both backends.
# The two deselected tests open the SQLite file by its path, so they are SQLite-only.
test-pg: install
	VIGIE_TEST_STORE=postgres timeout 1200 $(BIN)/python -m pytest -m "not slow and not reliability" -q \
		--deselect tests/test_cli_collect.py::test_collect_adhoc_urls_stores_items_without_touching_config \
		--deselect tests/test_cli_sources.py::test_remove_cuts_only_that_table_and_keeps_its_items

test-slow: install
	$(BIN)/python -m pytest -m "slow and not reliability" -q

# Faults, hostile input, auth and load (tests/reliability/): each test records its line of the table in
# docs/RELIABILITY.md; the table of this run is written to test-artifacts/reliability.md.
test-reliability: install
	rm -f test-artifacts/reliability.jsonl
	$(BIN)/python -m pytest -m reliability -q tests/reliability
	$(BIN)/python tests/reliability/table.py test-artifacts/reliability.jsonl > test-artifacts/reliability.md

bench: install
	$(BIN)/python bench/embedding_speed.py
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/fetch_speed.py

# The trend engine against its peers on the shared GitHub Trending corpus (needs ../shared/data; writes to /tmp).
bench-backtest: install
	$(BIN)/python bench/corpora/github_trending.py --out /tmp/vigie-gh-A.jsonl.gz --start 2019-06-01 --end 2020-06-30
	$(BIN)/python bench/compare.py --items /tmp/vigie-gh-A.jsonl.gz --out /tmp/vigie-cmp-A --language English \
		--start 2019-12-02 --end 2020-06-30
	$(BIN)/python bench/corpora/github_trending.py --out /tmp/vigie-gh-B.jsonl.gz --start 2021-06-01 --end 2022-03-31
	$(BIN)/python bench/compare.py --items /tmp/vigie-gh-B.jsonl.gz --out /tmp/vigie-cmp-B --language English \
		--start 2021-10-04 --end 2022-03-31

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
