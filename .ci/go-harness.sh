#!/usr/bin/env bash
# go-harness.sh NAME DIR: builds the Go test harness in DIR (a main package with its own go.mod and go.sum)
# into ~/.cache/labctl/NAME-<hash>/NAME, keyed by the hash of DIR's go.mod, go.sum and .go files and of this
# script, so an unchanged harness is reused (by CI before npm test, and by the test that needs it). Prints the
# binary's path. Idempotent. The wrappers beside it (gofakes3.sh, velero-cron.sh, helm3-schema.sh) name each one.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1 src=$2
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "go-harness.sh: go is not on PATH (needed to build $src, Go >= 1.26)" >&2; exit 1; }
hash=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go .ci/go-harness.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/$name-$hash"
if [ ! -x "$cache/$name" ]; then
  mkdir -p "$cache"
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -o "$cache/$name.tmp" .)
  mv "$cache/$name.tmp" "$cache/$name"
fi
echo "$cache/$name"
