#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the toolchain and dependencies, then lint, build, typecheck,
# the release check (publint + attw on every library) and all Vitest projects (unit and integration).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/toolchain.sh
pnpm install --frozen-lockfile --prefer-offline
pnpm lint
pnpm turbo run build typecheck --output-logs=errors-only
pnpm release:check
pnpm test "$@"
