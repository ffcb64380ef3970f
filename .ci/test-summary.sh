#!/usr/bin/env bash
# The plain closing line of a test run: `tests: N passed, N failed`, read from vitest's summary in LOG
# (colours or not). An unhandled error ("Errors  N errors": vitest fails the run although every test
# passed) counts as a failure, and so does a failing EXIT with nothing counted (tsc, biome, a crash).
# Usage: test-summary.sh LOG EXIT   (.ci/run calls it; test/ci-summary.test.ts feeds it recorded runs)
set -euo pipefail
log=$1 status=$2
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
summary=$(grep -E '^ +Tests +' <<<"$plain" | tail -n 1 || true)
passed=$(grep -Eo '[0-9]+ passed' <<<"$summary" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '[0-9]+ failed' <<<"$summary" | grep -Eo '[0-9]+' || echo 0)
errors=$(grep -E '^ +Errors +' <<<"$plain" | tail -n 1 | grep -Eo '[0-9]+ errors?' | grep -Eo '[0-9]+' || echo 0)
failed=$((failed + errors))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: ${passed} passed, ${failed} failed$([ "$errors" -gt 0 ] && echo " (${errors} unhandled error(s) counted as failures)")"
