# perf-baseline: the quick start is `make benchmark` and `make test` on a fresh clone with Node and npm.
SHELL := /bin/bash
NPX := npx --no-install
STAMP := node_modules/.perf-baseline-installed
ROUNDS ?= 30
MAX_NEW_TOKENS ?= 64

.PHONY: install benchmark benchmark-generation benchmark-embedding test lint typecheck unit integration schema baseline check-release clean

install: $(STAMP)

# npm ci installs exactly the lock file; node-llama-cpp ships its prebuilt llama.cpp inside registry packages,
# so nothing is built or downloaded from anywhere but the npm registry.
$(STAMP): package.json package-lock.json
	@echo 'installing dependencies (npm ci)' >&2
	@npm ci --no-audit --no-fund >&2
	@touch $@

## Both modes on the default model, as the specification's `make benchmark`: one JSON result per mode on stdout, the
## generation result first; everything else goes to stderr.
benchmark: install benchmark-generation benchmark-embedding

benchmark-generation: install
	@$(NPX) tsx tools/benchmark.ts --mode generation --rounds $(ROUNDS) --max-new-tokens $(MAX_NEW_TOKENS)

benchmark-embedding: install
	@$(NPX) tsx tools/benchmark.ts --mode embedding --rounds $(ROUNDS)
bench-overhead: install ; @$(NPX) tsx bench/harness-overhead.ts

## Lint, type-check, unit and integration tests (the integration tests run the real engine).
test: install lint typecheck
	$(NPX) vitest run --reporter=default --reporter=json --outputFile.json=node_modules/.test-results.json; \
	  status=$$?; node tools/test-summary.mjs node_modules/.test-results.json; exit $$status

## Format, lint rules (functions of at most 80 lines among them) and the layers of src/ (docs/architecture.md).
lint: install
	$(NPX) biome check .
	$(NPX) depcruise src --config .dependency-cruiser.cjs --output-type err

typecheck: install
	$(NPX) tsc --noEmit

unit: install
	$(NPX) vitest run test/unit

integration: install
	$(NPX) vitest run test/integration

## Recaptures the release tests' baselines: docs/baseline-generation.json, docs/baseline-embedding.json and
## docs/baselines/<test>.json (after a runtime, compiler or tokenizer change; on a quiet machine). Settings and
## the tests (release_tests, whose own flags win over these): perf-baseline.config.json.
baseline: install
	node bin/perf-baseline.js baseline --rounds $(ROUNDS) --max-new-tokens $(MAX_NEW_TOKENS)

## Runs the release tests, gates them against their baselines and writes the release evidence folder
## (evidence/<timestamp>/, or EVIDENCE_DIR=...). Exit code: 0 PASS, 1 REGRESSION, 3 INCONCLUSIVE, 4 INCOMPARABLE.
check-release: install
	node bin/perf-baseline.js check-release $(if $(EVIDENCE_DIR),--evidence-dir $(EVIDENCE_DIR),)

## Regenerates schema/result.schema.json from the zod schema.
schema: install
	$(NPX) tsx tools/write-schema.ts

clean:
	rm -rf node_modules
