#!/usr/bin/env bash
# Prints the size of the built wasm module: raw bytes and gzip -9 bytes.
set -euo pipefail
wasm=${1:-pkg/rbac_claims_bg.wasm}
raw=$(wc -c <"$wasm")
gz=$(gzip -9c "$wasm" | wc -c)
printf 'size: %s raw %d bytes, gzip -9 %d bytes\n' "$wasm" "$raw" "$gz"
