# Two commands on a fresh machine (Python 3.11+, Node 20+):
#   make synth   set everything up, then synthesize the sample app (no AWS account needed)
#   make test    run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: setup synth lint test clean integ integ-snapshot mutants docs

# Independent set-up steps (the venv, the CDK CLI, the packaging venv) run side by side.
MAKEFLAGS += --jobs=3

setup: $(VENV)/.installed node_modules/.installed

# build and twine in a venv of their own: checkov (dev extra) pins packaging<24 and urllib3 1.26,
# which twine 6+ cannot share, and twine 5 cannot read the Metadata 2.4 of a license expression.
PACKAGING := .venv-package
$(PACKAGING)/.installed: Makefile
	$(PYTHON) -m venv $(PACKAGING)
	$(PACKAGING)/bin/pip install --quiet build==1.6.1 twine==7.0.0 setuptools==84.2.1
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile -e ".[dev]"
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --no-package-lock
	touch $@

SAMPLE_STACKS := QuickSetupLocalSample QuickSetupOrganizationSample

synth: setup
	for stack in $(SAMPLE_STACKS); do \
		PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --no-notices $$stack || exit 1; \
	done

# ruff (the rules of pyproject.toml), its formatter, and mypy over the package.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The lint first (ruff), then the tests with mypy beside them: mypy takes about a minute with
# no cache, as on a fresh clone, on a core the tests leave partly idle. Fails if either fails.
test: setup $(PACKAGING)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@types_log=$$(mktemp); $(BIN)/mypy > $$types_log 2>&1 & types=$$!; \
	$(BIN)/python -m pytest -n 2; tests=$$?; \
	wait $$types; typed=$$?; echo "mypy:"; cat $$types_log; rm -f $$types_log; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

# Deploy the integration apps of integ/ to a real account, assert, destroy (docs/verify.md,
# "Verify on your own account"); the organization app only with QUICKSETUP_INTEG_ORG_OU set.
INTEG_APPS := integ/integ_local.py $(if $(QUICKSETUP_INTEG_ORG_OU),integ/integ_organization.py)

integ: setup
	@AWS_REGION=$$($(BIN)/python integ/require_credentials.py) || exit 2; \
	export AWS_REGION; PATH="$(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$$PATH" \
	$(BIN)/python integ/run.py $(INTEG_APPS)

# Rewrite integ/*.snapshot after a reviewed change of what the integration apps synthesize.
integ-snapshot: setup
	QUICKSETUP_INTEG_SNAPSHOT_UPDATE=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_integ_snapshots.py

# Mutation testing of the CLI (docs/benchmarks.md, "Mutation testing"); not part of make test.
mutants: setup
	$(BIN)/pip install --quiet -e ".[mutants]"
	$(BIN)/python -m bench.mutants

# The documentation site (mkdocs.yml) into site/, in strict mode: a warning, a broken link or an
# API name that cannot be resolved fails it. Needs no Node.js: the API pages are read from the
# source by griffe, without importing aws_cdk.
docs: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

$(VENV)/.docs-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[docs]"
	touch $@

clean:
	rm -rf $(VENV) $(PACKAGING) node_modules cdk.out .pytest_cache site
