#!/usr/bin/env bash
# Builds test/security/helm3-schema (gojsonschema v1.2.0, the values-schema validator of Helm 3.17, run by
# test/security/labs-helm3-schema.test.ts), cached by .ci/go-harness.sh, so npm test compiles no Go (that
# build was ~35 CPU-s of a fresh machine's suite). Prints the binary's path.
exec bash "$(dirname "$0")/go-harness.sh" helm3-schema test/security/helm3-schema
