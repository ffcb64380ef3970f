#!/usr/bin/env bash
# Builds test/velero-cron (Velero's schedule parser, robfig/cron v3 ParseStandard, run over a corpus by
# test/render/velero-cron.test.ts) into ~/.cache/labctl/velero-cron-<hash>, the hash of its go.mod, go.sum,
# main.go and this script, so an unchanged harness is reused. Prints the binary's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "velero-cron.sh: go is not on PATH (needed to build test/velero-cron, Velero's cron parser)" >&2; exit 1; }
hash=$(cat test/velero-cron/go.mod test/velero-cron/go.sum test/velero-cron/main.go .ci/velero-cron.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/velero-cron-$hash"
if [ ! -x "$cache/velero-cron" ]; then
  mkdir -p "$cache"
  (cd test/velero-cron && GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -o "$cache/velero-cron.tmp" .)
  mv "$cache/velero-cron.tmp" "$cache/velero-cron"
fi
echo "$cache/velero-cron"
