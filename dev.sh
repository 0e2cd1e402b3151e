#!/usr/bin/env bash
# Runs the whole system on one machine with no AWS account: local-aws (SQS + S3), the api and the worker.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/toolchain.sh
pnpm install --frozen-lockfile --prefer-offline
exec pnpm turbo run dev --filter=./apps/* --filter=@media-server/local-aws "$@"
