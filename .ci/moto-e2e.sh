#!/usr/bin/env bash
# The end-to-end flow (upload through the API → S3 event → worker → outputs → playback links) against
# moto's server instead of local-aws, with both apps in AWS mode and run from their images' deploy folders.
# Starts the reference servers (.ci/reference-servers.sh exports MOTO_ENDPOINT), runs
# test/deploy/moto-e2e.test.ts and stops them. Exit code: the test's.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
source .ci/reference-servers.sh
trap stop_reference_servers EXIT
mkdir -p .tmp
timeout 900 pnpm vitest run --project deploy moto-e2e --reporter=default --reporter=json --outputFile.json=.tmp/moto-e2e-report.json "$@"
