#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing; quiet and quick when all is there.
# Versions: wasm-bindgen-cli must equal the `version = "=X"` pin of wasm-bindgen in Cargo.toml; wasm-opt comes from the
# npm package `binaryen` (package-lock.json), never from Debian's binaryen 108 (it corrupts the externref table).
# Node 18 and 22 (Auth0's runtimes, beside the machine's node) for `make test`: the official binaries from the
# npm registry package node-<os>-<arch> at EXTRA_NODE_VERSIONS, unpacked into target/node/<major>/ (git-ignored).
# The Auth0 Deploy CLI (npm auth0-deploy-cli at AUTH0_DEPLOY_CLI_VERSION) in target/tools/ (git-ignored): the
# deploy test parses dist/a0deploy with it. It needs Node >= 20.19 (its `engines`), so that test runs on Node 20 and 22.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WASM_PACK_VERSION=0.15.1
EXTRA_NODE_VERSIONS="18.20.8 22.23.5"
AUTH0_DEPLOY_CLI_VERSION=8.44.0
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no exact wasm-bindgen pin in Cargo.toml" >&2; exit 1; }

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: node not found; install Node.js 18 or newer" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  echo "setup: installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install wasm-pack --version "=$WASM_PACK_VERSION" --force
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi

case "$(uname -s)" in Linux) node_os=linux ;; Darwin) node_os=darwin ;; *) node_os=unsupported ;; esac
case "$(uname -m)" in x86_64 | amd64) node_cpu=x64 ;; aarch64 | arm64) node_cpu=arm64 ;; *) node_cpu=unsupported ;; esac
for version in $EXTRA_NODE_VERSIONS; do
  dir="target/node/${version%%.*}"
  [ "$("$dir/bin/node" --version 2>/dev/null || true)" = "v$version" ] && continue
  package="node-$node_os-$node_cpu@$version"
  echo "setup: installing Node $version into $dir (npm package $package)"
  tmp="target/node/.download-$version"
  rm -rf "$tmp" "$dir"
  mkdir -p "$tmp/unpacked"
  npm pack "$package" --pack-destination "$tmp" --silent >/dev/null
  tar -xzf "$tmp"/node-*.tgz -C "$tmp/unpacked" --strip-components=1 package/bin/node package/LICENSE
  [ "$("$tmp/unpacked/bin/node" --version)" = "v$version" ] || { echo "setup: $package does not run here" >&2; exit 1; }
  mv "$tmp/unpacked" "$dir"
  rm -rf "$tmp"
done

tools=target/tools
if [ "$(node -p "require('./$tools/node_modules/auth0-deploy-cli/package.json').version" 2>/dev/null || true)" != "$AUTH0_DEPLOY_CLI_VERSION" ]; then
  echo "setup: installing auth0-deploy-cli $AUTH0_DEPLOY_CLI_VERSION into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --silent "auth0-deploy-cli@$AUTH0_DEPLOY_CLI_VERSION"
fi
