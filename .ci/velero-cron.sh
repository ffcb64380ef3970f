#!/usr/bin/env bash
# Builds test/velero-cron (Velero's schedule parser, robfig/cron v3 ParseStandard, run over a corpus by
# test/render/velero-cron.test.ts), cached by .ci/go-harness.sh. Prints the binary's path.
exec bash "$(dirname "$0")/go-harness.sh" velero-cron test/velero-cron
