#!/usr/bin/env bash
# Runs the whole system on one machine with no AWS account: local-aws (SQS + S3), the api and the worker.
# `./dev.sh upload <file>` then uploads a file through the running API and follows its job.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/toolchain.sh
if [ "${1:-}" = upload ]; then # ./dev.sh upload <files…> [--presets mp4,hls]: the media-server CLI, waiting for the jobs
  shift
  export MEDIA_SERVER_URL="${MEDIA_SERVER_URL:-http://127.0.0.1:3000}" MEDIA_SERVER_API_KEY="${MEDIA_SERVER_API_KEY:-dev-key}"
  exec node packages/cli/bin/media-server.js upload --wait "$@"
fi
pnpm install --frozen-lockfile --prefer-offline
cat >&2 <<'BANNER'
Starting local-aws (SQS http://127.0.0.1:4566, S3 http://127.0.0.1:4567, data in .local-aws/),
the api (http://127.0.0.1:3000, docs at /docs, key "dev-key") and the worker (health http://127.0.0.1:3001/healthz).
Then, in another terminal:
  ./dev.sh upload path/to/clip.mp4          # upload through the API (media-server CLI) and follow the job to its links
  pnpm exec media-server --help             # the CLI itself: jobs ls|get|watch|rm, playback
  curl -H 'authorization: Bearer dev-key' http://127.0.0.1:3000/v1/jobs/<jobId>
BANNER
exec pnpm turbo run dev --filter=./apps/* --filter=@media-server/local-aws "$@"
