#!/usr/bin/env bash
# Builds test/security/helm3-schema (gojsonschema v1.2.0, the values-schema validator of Helm 3.17, run by
# test/security/labs-helm3-schema.test.ts) into ~/.cache/labctl/helm3-schema-<hash>, the hash of its go.mod,
# go.sum, main.go and this script, so an unchanged harness is reused and npm test does not compile Go (that
# build was ~35 CPU-s of a fresh machine's suite). Prints the binary's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
src=test/security/helm3-schema
command -v go >/dev/null || { echo "helm3-schema.sh: go is not on PATH (needed to build $src, Helm 3's schema validator)" >&2; exit 1; }
hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" .ci/helm3-schema.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/helm3-schema-$hash"
if [ ! -x "$cache/helm3-schema" ]; then
  mkdir -p "$cache"
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -o "$cache/helm3-schema.tmp" .)
  mv "$cache/helm3-schema.tmp" "$cache/helm3-schema"
fi
echo "$cache/helm3-schema"
