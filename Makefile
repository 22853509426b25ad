# Two commands: `make run` (the app, with demo data) and `make test` (the whole suite).
# `make run` installs only what the app needs; `make test` adds the dev extras (pytest, Playwright …).
VENV       := .venv
PY         := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-dev

.PHONY: run test clean

$(PY):
	@bash scripts/make_venv.sh $(VENV)

$(RUN_STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(RUN_STAMP)

$(TEST_STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(TEST_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	@bash scripts/run.sh

test: $(TEST_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance test-output .pytest_cache
