#!/usr/bin/env bash
# Builds test/yaml11 (a YAML 1.1 reader: sigs.k8s.io/yaml over go-yaml v2, as Helm, ArgoCD and the
# Kubernetes API machinery read YAML) into .tools/bin/yaml11-<go.sum hash>, so a change of its
# dependencies rebuilds it and an unchanged go.sum reuses it. Prints the binary's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "yaml11.sh: go not found (needed to build the YAML 1.1 reader test/yaml11)" >&2; exit 1; }
hash=$(cat test/yaml11/go.sum test/yaml11/go.mod test/yaml11/main.go | sha256sum | cut -c1-16)
bin=".tools/bin/yaml11-$hash"
if [ ! -x "$bin" ]; then
  mkdir -p .tools/bin
  (cd test/yaml11 && GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false -o "../../$bin.tmp" .)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
