# The recipes here are exactly what the README and CI run.
.PHONY: run test setup build node-dev chain-specs fmt lint

# Set up the machine, build, and run the whole system (dev chain for now).
run:
	bash scripts/run.sh

# Set up the machine and run every check and test (what .ci/run calls).
test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh --all

build:
	bash scripts/build.sh

chain-specs: build
	bash scripts/gen-chain-specs.sh

fmt:
	cargo fmt --all

lint:
	bash -c 'source scripts/env.sh && SKIP_WASM_BUILD=1 cargo clippy --release --workspace --all-targets -- -D warnings'
