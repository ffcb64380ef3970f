#!/usr/bin/env bash
# Builds the kube-apiserver test harness (test/kube: a real kube-apiserver on embedded etcd) and kubeadm
# from the pinned k8s.io/kubernetes module, into a cache keyed by test/kube/go.mod + go.sum, so a machine
# builds them once per version; links both into .tools/bin. Idempotent.
# The build is heavy (a cold build takes minutes and GBs of memory): it runs under nice and with -p 2.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"   # where the Go toolchain is installed on this project's machines
command -v go >/dev/null || { echo "kube-harness.sh: go not found (Go >= 1.26 is needed to build the kube-apiserver harness)" >&2; exit 1; }
hash=$(cat test/kube/go.mod test/kube/go.sum test/kube/*.go | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/kube-harness/$hash"
if [ ! -x "$cache/kube-harness" ] || [ ! -x "$cache/kubeadm" ]; then
  echo "kube-harness.sh: building kube-apiserver harness and kubeadm into $cache (first time for this version: several minutes)"
  start=$(date +%s)
  mkdir -p "$cache.tmp"
  (cd test/kube && nice go build -p 2 -trimpath -ldflags='-s -w' -o "$cache.tmp/kube-harness" . \
                && nice go build -p 2 -trimpath -ldflags='-s -w' -o "$cache.tmp/kubeadm" k8s.io/kubernetes/cmd/kubeadm)
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  echo "kube-harness.sh: built in $(( $(date +%s) - start ))s"
fi
mkdir -p .tools/bin
ln -sfn "$cache/kube-harness" .tools/bin/kube-harness
ln -sfn "$cache/kubeadm" .tools/bin/kubeadm
.tools/bin/kubeadm version -o short
