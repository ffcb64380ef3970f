#!/usr/bin/env bash
# Builds test/cluster/gofakes3 (a tiny S3 server over github.com/johannesboyne/gofakes3; the etcd snapshot
# tests send restic's backups to it), cached by .ci/go-harness.sh. Prints the binary's path.
exec bash "$(dirname "$0")/go-harness.sh" gofakes3 test/cluster/gofakes3
