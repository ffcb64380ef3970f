#!/usr/bin/env bash
# Builds the kube-apiserver test harness (test/kube: a real kube-apiserver on embedded etcd) and kubeadm
# from the pinned k8s.io/kubernetes module, into a cache keyed by the module files and this script, so a
# machine builds them once per version; links both into .tools/bin. Idempotent.
# A cold build is heavy (measured on 2 shared cores: ~12 CPU-minutes, ~2 GB peak for the linker): it runs
# under nice with -p 2.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"   # where the Go toolchain is installed on this project's machines
command -v go >/dev/null || { echo "kube-harness.sh: go not found (Go >= 1.26 is needed to build the kube-apiserver harness)" >&2; exit 1; }
hash=$(cat test/kube/go.mod test/kube/go.sum test/kube/*.go .ci/kube-harness.sh | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/kube-harness/$hash"
if [ ! -x "$cache/kube-harness" ] || [ ! -x "$cache/kubeadm" ]; then
  echo "kube-harness.sh: building kube-apiserver harness and kubeadm into $cache (first time for this version: several minutes)"
  start=$(date +%s)
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
  (
    cd test/kube
    # Stamp the release into both binaries, as Kubernetes' own build does (kubeadm checks versions against it).
    v=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
    minor=${v#v1.}; minor=${minor%%.*}
    pkg=k8s.io/component-base/version
    ldflags="-s -w -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    nice go build -p 2 -trimpath -ldflags="$ldflags" -o "$cache.tmp/kube-harness" .
    nice go build -p 2 -trimpath -ldflags="$ldflags" -o "$cache.tmp/kubeadm" k8s.io/kubernetes/cmd/kubeadm
  )
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  echo "kube-harness.sh: built in $(( $(date +%s) - start ))s"
fi
mkdir -p .tools/bin
ln -sfn "$cache/kube-harness" .tools/bin/kube-harness
ln -sfn "$cache/kubeadm" .tools/bin/kubeadm
echo "kube-harness.sh: kubeadm $(.tools/bin/kubeadm version -o short)"
