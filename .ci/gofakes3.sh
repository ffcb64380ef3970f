#!/usr/bin/env bash
# Builds test/cluster/gofakes3 (a tiny S3 server over github.com/johannesboyne/gofakes3, an S3
# implementation in Go; the etcd snapshot tests send restic's backups to it) into
# ~/.cache/labctl/gofakes3-<hash>/gofakes3, keyed by the hash of its go.mod, go.sum, source and this
# script, so an unchanged pin reuses the binary. Prints the binary's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "gofakes3.sh: go not found (needed to build the S3 server test/cluster/gofakes3)" >&2; exit 1; }
src=test/cluster/gofakes3
hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" .ci/gofakes3.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/gofakes3-$hash"
if [ ! -x "$cache/gofakes3" ]; then
  mkdir -p "$cache"
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -o "$cache/gofakes3.tmp" .)
  mv "$cache/gofakes3.tmp" "$cache/gofakes3"
fi
echo "$cache/gofakes3"
