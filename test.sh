#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the toolchain and dependencies, then lint, build, typecheck,
# the API reports (API Extractor: the checked-in api-report/*.api.md match the built .d.ts), the release
# check (publint + attw on every library) and all Vitest projects (unit, integration, release).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/toolchain.sh
bash scripts/system-deps.sh
pnpm install --frozen-lockfile --prefer-offline
pnpm lint
pnpm turbo run build typecheck --output-logs=errors-only
pnpm api:check
tsc -p tsconfig.json
pnpm release:check
mkdir -p .tmp
status=0
pnpm test --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@" || status=$?
node scripts/test-summary.mjs .tmp/vitest-report.json || true
exit "$status"
