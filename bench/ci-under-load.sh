#!/usr/bin/env bash
# Issue 16's steadiness proof: N consecutive `.ci/run`s, each in a fresh clone of a commit, while CPU hogs
# run beside them (busy loops, one per --hogs, each stopped by `timeout` so nothing outlives the script).
# Prints one line per run (exit, seconds, the plain `tests:` line) and a table at the end; exits 1 when any
# run failed. Runs as root, as CI does (.ci/run installs packages).
#   bash bench/ci-under-load.sh [--runs 5] [--hogs 1] [--rev HEAD] [--repo .] [--max-minutes 60]
set -euo pipefail
runs=5 hogs=1 rev=HEAD repo=. max_minutes=60
usage="usage: $0 [--runs N (5)] [--hogs N (1)] [--rev REV (HEAD)] [--repo DIR (.)] [--max-minutes M per run (60)]
Runs the whole CI (.ci/run: apt packages, npm ci, npm test) N times; about 15-40 minutes a run."
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) echo "$usage"; exit 0 ;;
    --runs|--hogs|--rev|--repo|--max-minutes)
      [ $# -ge 2 ] || { echo "$1 needs a value"$'\n'"$usage" >&2; exit 2; }
      case $1 in
        --runs) runs=$2 ;;
        --hogs) hogs=$2 ;;
        --rev) rev=$2 ;;
        --repo) repo=$2 ;;
        --max-minutes) max_minutes=$2 ;;  # per run; the hogs and the run stop at this bound
      esac
      shift 2 ;;
    *) echo "unknown argument: $1"$'\n'"$usage" >&2; exit 2 ;;
  esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then echo "--runs must be 1..20" >&2; exit 2; fi
if ! [[ $hogs =~ ^[0-9]+$ ]] || [ "$hogs" -gt 8 ]; then echo "--hogs must be 0..8" >&2; exit 2; fi
if ! [[ $max_minutes =~ ^[0-9]+$ ]] || [ "$max_minutes" -lt 1 ]; then echo "--max-minutes must be a whole number >= 1" >&2; exit 2; fi
commit=$(git -C "$repo" rev-parse --verify --quiet "$rev^{commit}") || { echo "--rev $rev: no such commit in $repo" >&2; exit 2; }
work=$(mktemp -d /tmp/ci-under-load.XXXXXX)
results=()
failed=0
hog_pids=()
stop_hogs() { for p in "${hog_pids[@]}"; do kill "$p" 2>/dev/null || true; done; hog_pids=(); }
trap stop_hogs EXIT
echo "ci-under-load: $runs run(s) of .ci/run at ${commit:0:12} beside $hogs CPU hog(s); logs in $work"
for i in $(seq 1 "$runs"); do
  clone="$work/clone-$i"
  git clone -q "$repo" "$clone"
  git -C "$clone" checkout -q "$commit"
  for _ in $(seq 1 "$hogs"); do
    timeout "$((max_minutes * 60))" sh -c 'while :; do :; done' &
    hog_pids+=($!)
  done
  start=$(date +%s)
  set +e
  (cd "$clone" && CI=true timeout "$((max_minutes * 60))" bash .ci/run) >"$work/run-$i.log" 2>&1
  status=$?
  set -e
  secs=$(($(date +%s) - start))
  stop_hogs
  line=$(grep -E '^tests: ' "$work/run-$i.log" | tail -n 1 || echo 'tests: (no summary line)')
  echo "run $i: exit $status in ${secs}s; $line"
  results+=("$i|$status|$secs|$line")
  [ "$status" -eq 0 ] || failed=1
  rm -rf "$clone"
done
echo
echo "| run | exit | seconds | summary |"
echo "|---|---|---|---|"
for r in "${results[@]}"; do IFS='|' read -r n s t l <<<"$r"; echo "| $n | $s | $t | $l |"; done
exit "$failed"
