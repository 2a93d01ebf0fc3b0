# The two commands for a fresh machine: `make demo` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
WASM_PACK := wasm-pack

.PHONY: all setup build bundle demo test test-native test-wasm test-js test-js-node18 test-js-node22 lint size bench bench-smoke pkg-trap clean

all: build

setup:
	@scripts/setup.sh

# pkg/: the Node module (JS glue + .wasm) that js/action.js loads; wasm-opt -Oz from the npm binaryen.
# Built without the default `std` feature: the shipped wasm is no_std (src/lib.rs).
# scripts/glue.js: the glue's imports that can throw catch in place (no handleError/apply per call).
# scripts/size.js: where the bytes go (target/size/parts.json), then the names are stripped from the .wasm.
build: setup
	$(WASM_PACK) build --target nodejs --release --mode no-install -- --no-default-features
	node scripts/glue.js pkg/rbac_claims.js
	node scripts/size.js

# dist/: the single-file Action (wasm inlined) and the Auth0 Deploy CLI layout; fails over 100 kB.
bundle: build
	node scripts/bundle.js

demo: build
	@echo "=== Login 1: roles from the event, permissions from GET /api/v2/users/{id}/permissions, logLine=json ==="
	node host/cli.js --action js/action.js --event examples/event.json --secrets examples/secrets.json --standin examples/fixture.json
	@echo
	@echo "=== Login 2: organization acme, roles=effective (org member + group roles), groups=on, permissions=roles, permissionsAs=both ==="
	node host/cli.js --action js/action.js --event examples/org-event.json --secrets examples/org-secrets.json --standin examples/fixture.json
	@echo
	@echo "=== Login 3: roles kept in app_metadata (Authorization Extension layout), roles=metadata, permissions=roles ==="
	node host/cli.js --action js/action.js --event examples/metadata-event.json --secrets examples/metadata-secrets.json --standin examples/fixture.json

lint: setup
	eslint .
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --no-default-features -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features test-exports -- -D warnings

test-native: setup
	cargo test

test-wasm: setup
	$(WASM_PACK) test --node --mode no-install

# target/pkg-trap/: a debug build with the test-only exports trapNextPoll() (trap recovery tests),
# settingsOutcome() (the hostile suite's expected settings outcomes) and claimPlan() / permissionNames()
# (the Rust plan the hostile and load suites compare the Action's claims with, through serde-wasm-bindgen).
pkg-trap: setup
	$(WASM_PACK) build --dev --target nodejs --out-dir target/pkg-trap --mode no-install --no-typescript -- --features test-exports
	node scripts/glue.js target/pkg-trap/rbac_claims.js

test-js: bundle pkg-trap
	node --test tests/js/*.test.js

# The same suites on Auth0's runtimes Node 22 (current) and 18, unpacked into target/node/ by scripts/setup.sh.
test-js-node18: bundle pkg-trap
	target/node/18/bin/node --test tests/js/*.test.js

test-js-node22: bundle pkg-trap
	target/node/22/bin/node --test tests/js/*.test.js

# Benchmarks: full runs by hand (`make bench`, writes BENCHMARKS.md); CI runs a short smoke.
bench: bundle
	node bench/run.js --full

bench-smoke: bundle
	node bench/run.js --smoke

test: lint test-native test-wasm test-js test-js-node18 test-js-node22 bench-smoke

# Where the bytes go: the build's parts and the single file's figures, rendered into README.md's Size section.
size: bundle
	node scripts/size.js --readme

clean:
	cargo clean
	rm -rf pkg dist
