# Two commands on a fresh machine (Python 3.11+, Node 20+):
#   make synth   set everything up, then synthesize the sample app (no AWS account needed)
#   make test    run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: setup synth test clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --no-package-lock
	touch $@

SAMPLE_STACKS := QuickSetupLocalSample QuickSetupOrganizationSample

synth: setup
	for stack in $(SAMPLE_STACKS); do \
		PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --no-notices $$stack || exit 1; \
	done

test: setup
	$(BIN)/python -m pytest -n 2

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache
