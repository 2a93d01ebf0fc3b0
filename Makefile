# The two commands for a fresh machine: `make demo` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
WASM_PACK := wasm-pack

.PHONY: all setup build demo test test-native test-wasm test-js lint size clean

all: build

setup:
	@scripts/setup.sh

# pkg/: the Node module (JS glue + .wasm) that js/action.js loads; wasm-opt -Oz from the npm binaryen.
build: setup
	$(WASM_PACK) build --target nodejs --release --mode no-install
	@scripts/size.sh

demo: build
	node js/host/cli.js --action js/action.js --event examples/event.json --secrets examples/secrets.json --standin examples/fixture.json

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native: setup
	cargo test

test-wasm: setup
	$(WASM_PACK) test --node --mode no-install

test-js: build
	node --test js/test/

test: lint test-native test-wasm test-js

size: build

clean:
	cargo clean
	rm -rf pkg dist
