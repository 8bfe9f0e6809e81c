# Two commands do all set-up from a fresh clone (only Python >= 3.11 needed):
#   make run    start the bot on SQLite (sandbox mode without WeCom credentials)
#   make test   run the test suite
# Each creates .venv from uv.lock first (uv itself is installed from PyPI into .tools/).

PYTHON ?= python3
PYTEST_ARGS ?= -n 2
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test install lint bench bench-load examples clean

run: install
	.venv/bin/yigong serve

test: install
	.venv/bin/pytest $(PYTEST_ARGS)

install: .venv/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on our machines) every
# process would otherwise compile SQLAlchemy & co. from source, seconds per start.
.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --compile-bytecode --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	.venv/bin/python -m compileall -q bot domain handlers models reminders web
	@touch $@

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy bot domain handlers models reminders web

bench: install
	.venv/bin/python bench/qa.py
	.venv/bin/python bench/ledger.py
	.venv/bin/python bench/reminders.py
	.venv/bin/python bench/callback.py
	.venv/bin/python bench/pages.py

# Two replicas on PostgreSQL (YIGONG_BENCH_DATABASE_URL, default local postgres), 60 s of load.
bench-load: install
	.venv/bin/python bench/load.py --seconds 60

# The policy matcher's example bank (handlers/policy/examples.py) from the question sets; a set
# whose header says "# held out of the example bank" (the newest held-out set) stays out of it.
EXAMPLE_SETS := $(sort $(shell grep -L '^\# held out of the example bank' tests/data/policy_questions*.tsv))
examples: install
	.venv/bin/python -m handlers.policy.examples $(EXAMPLE_SETS)

clean:
	rm -rf .venv .tools .pytest_cache .ruff_cache
