#!/usr/bin/env bash
# Builds test/converge (the first-boot convergence simulator run by test/converge/converge.test.ts) and
# links it as .tools/bin/converge. The binary is cached under the hash of go.mod, go.sum, the Go sources
# and this script, so CI compiles ArgoCD's health code once per pin. Needs Go >= 1.21 on PATH (go.mod asks
# for 1.26; an older go fetches that toolchain through the module proxy). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "converge.sh: go is not on PATH (Go >= 1.21 needed to build test/converge)" >&2; exit 1; }
minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ "${minor:-0}" -ge 21 ] || { echo "converge.sh: $(go env GOVERSION) is too old: Go >= 1.21 is needed (it fetches the go1.26 toolchain go.mod asks for)" >&2; exit 1; }
hash=$(cat test/converge/go.mod test/converge/go.sum test/converge/*.go .ci/converge.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/converge-$hash"
if [ ! -x "$cache/converge" ]; then
  mkdir -p "$cache"
  (cd test/converge && go build -mod=readonly -trimpath -o "$cache/converge.tmp" .)
  mv "$cache/converge.tmp" "$cache/converge"
fi
mkdir -p .tools/bin
ln -sfn "$cache/converge" .tools/bin/converge
echo "converge: $cache/converge"
