# TeamHub developer commands. `make demo` and `make test` do all their own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
PYTHON      ?= python3
BIN         := $(CURDIR)/$(VENV)/bin
COLLECTIONS := $(CURDIR)/.build/collections
# Scenarios that need the internet (real conda channels) only get a syntax check here.
ONLINE      := online
# All scenarios at once: much of their time is spent waiting (downloads, services
# starting), so seven share 2 cores better than six then one.
JOBS        ?= 7
ALL_SCENARIOS := $(filter-out $(ONLINE),$(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))
# The longest scenarios start first.
LONGEST     := default tailscale faults backup
SCENARIOS   ?= $(filter $(LONGEST),$(ALL_SCENARIOS)) $(filter-out $(LONGEST),$(ALL_SCENARIOS))
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR ?= 0
export PY_COLORS ?= 0
# When this make started: `make test` ends with its total time.
STARTED     := $(shell date +%s)

.PHONY: help
help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-12s %s\n", $$1, $$2 }'

$(VENV)/.stamp: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.stamp ## Create the Python environment with the pinned tools

# The checkout itself is the collection: expose it as teamhub.jupyter.
$(COLLECTIONS)/ansible_collections/teamhub/jupyter:
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

.PHONY: collection
collection: venv $(COLLECTIONS)/ansible_collections/teamhub/jupyter

.PHONY: docker
docker: ## Make sure a Docker engine answers (installs docker.io on Debian as root)
	scripts/ensure-docker.sh

.PHONY: images image-12 image-13
images: image-12 image-13 ## Build the Debian 12 and 13 base images (only when missing)
image-12: docker
	scripts/build-base-image.sh bookworm
image-13: docker
	scripts/build-base-image.sh trixie

.PHONY: lint
lint: collection ## yamllint, ansible-lint (production profile), role READMEs against the argument specs
	$(BIN)/yamllint -s .
	$(BIN)/python scripts/role-docs.py --check
	$(BIN)/ansible-lint --profile production
	$(BIN)/antsibull-changelog lint

.PHONY: changelog release-notes
changelog: venv ## Write CHANGELOG.md from changelogs/
	$(BIN)/antsibull-changelog generate
# A release: the fragments become release VERSION (galaxy.yml's) in changelogs/changelog.yaml.
release-notes: collection ## Record the fragments as release VERSION=X.Y.Z and write CHANGELOG.md
	@test -n "$(VERSION)" || { echo "give VERSION=X.Y.Z (galaxy.yml's version)"; exit 2; }
	PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/antsibull-changelog release --version $(VERSION)

.PHONY: lock lock-check
# LOCK_DATE=YYYY-MM-DD takes releases up to that day (a new pin needs it); the lock keeps
# its date otherwise, so the same pins give the same file.
lock: venv ## Write the hub venv's lock (roles/jupyterhub/files/hub-venv.lock.txt) from the role's pins
	$(BIN)/python scripts/lock-hub-venv.py $(if $(LOCK_DATE),--date $(LOCK_DATE))
lock-check: venv ## Fail when the hub venv's lock misses a pin or a hash; show where the index now resolves differently
	$(BIN)/python scripts/lock-hub-venv.py --check

.PHONY: sanity
sanity: collection ## ansible-test sanity, no ignore entries
	scripts/ansible-test-sanity.sh

.PHONY: artifact
artifact: venv ## Build the collection artifact, install it, and check it works from there
	scripts/check-artifact.sh

.PHONY: unit
unit: collection ## Unit tests of the module code
	$(BIN)/pytest -q tests/unit

.PHONY: browser
browser: ## Make sure Debian's Chromium is there for the browser test (installs it as root on Debian)
	scripts/ensure-chromium.sh

.PHONY: molecule
# The scenarios download through the run's caching mirrors (scripts/mirrors.sh: apt,
# PyPI, npm), started here and stopped after; TEAMHUB_MIRRORS=0 goes without them.
molecule: collection images browser ## All molecule scenarios, JOBS at a time (SCENARIOS="a b" to pick)
	scripts/mirrors.sh run env JOBS=$(JOBS) scripts/molecule-all.sh $(SCENARIOS)
	set -e; for s in $(filter $(ONLINE),$(notdir $(wildcard molecule/*))); do \
	  echo "=== molecule scenario $$s (internet needed: syntax check only)"; \
	  $(BIN)/molecule syntax -s $$s; \
	done

.PHONY: faults
faults: collection image-12 ## Only the fault, bad-input and fresh-host check-mode suite (part of make test)
	scripts/mirrors.sh run env JOBS=1 scripts/molecule-all.sh faults

.PHONY: fixtures
fixtures: ## Build the tailnet test fixtures (Tailscale, Headscale) from Go modules, cached
	scripts/build-tailnet-fixtures.sh

# The Go builds of the tailnet fixtures take long on a cold cache: start them in the
# background first; the tailscale scenario waits for them (the script holds a lock).
.PHONY: fixtures-background
fixtures-background:
	mkdir -p .build
	nohup scripts/build-tailnet-fixtures.sh >.build/tailnet-fixtures.log 2>&1 &

.PHONY: test
test: fixtures-background lint lock-check sanity artifact unit molecule ## Everything CI runs: lint, lock check, sanity, artifact, unit tests, molecule
	@echo "=== make test passed in $$(( $$(date +%s) - $(STARTED) )) s"

$(VENV)/.bench-stamp: $(VENV)/.stamp bench/requirements.txt
	$(BIN)/pip install -q -r bench/requirements.txt
	touch $@

.PHONY: bench
bench: collection images $(VENV)/.bench-stamp ## Benchmarks: fresh converge vs bare installs, re-run, Monday-morning load (bench/results/)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

.PHONY: demo
demo: collection $(if $(filter %:13,$(TEAMHUB_DEMO_IMAGE)),image-13,image-12) ## Start the local demo hub in the container teamhub-demo (builds only the base image it uses)
	scripts/demo.sh up

.PHONY: mirrors mirrors-down
mirrors: image-12 ## Start the test run's caching mirrors by hand (settings in .build/mirrors/env)
	scripts/mirrors.sh up
mirrors-down: ## Stop them (their caches stay in the Docker volume teamhub-mirrors-cache)
	scripts/mirrors.sh down

.PHONY: demo-clean
demo-clean: ## Remove the demo container and its local keys
	scripts/demo.sh down

.PHONY: clean
clean: ## Remove the virtualenv and build output
	rm -rf $(VENV) .build
