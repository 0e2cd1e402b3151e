#!/usr/bin/env bash
# Runs the whole system on one machine with no AWS account: local-aws (SQS + S3), the api and the worker.
# `./dev.sh upload <file>` then uploads a file through the running API and follows its job.
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  -h | --help | help)
    cat <<'USAGE'
Usage:
  ./dev.sh                          start local-aws (SQS :4566, S3 :4567, data in .local-aws/), the api (:3000)
                                    and the worker (:3001); Ctrl-C stops them (worker and api first), Ctrl-C
                                    twice kills them at once
  ./dev.sh upload <file> [presets]  in a second terminal: upload a file through the running API (key "dev-key")
                                    and follow its job to the outputs
  ./dev.sh --help                   this text

A sample clip, if you have none: ffmpeg -f lavfi -i testsrc2=duration=5:size=640x360:rate=25
  -f lavfi -i sine=frequency=440:duration=5 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest sample.mp4
USAGE
    exit 0
    ;;
esac
source scripts/toolchain.sh
if [ "${1:-}" = upload ]; then # ./dev.sh upload <files…> [--presets mp4,hls]: the media-server CLI, waiting for the jobs
  shift
  export MEDIA_SERVER_URL="${MEDIA_SERVER_URL:-http://127.0.0.1:3000}" MEDIA_SERVER_API_KEY="${MEDIA_SERVER_API_KEY:-dev-key}"
  exec node packages/cli/bin/media-server.js upload --wait "$@"
fi
if [ $# -gt 0 ]; then
  echo "dev.sh: unknown argument '$1' (see ./dev.sh --help)" >&2
  exit 2
fi
pnpm install --frozen-lockfile --prefer-offline
cat >&2 <<'BANNER'
Starting local-aws (SQS http://127.0.0.1:4566, S3 http://127.0.0.1:4567, data in .local-aws/),
the api (http://127.0.0.1:3000, docs at /docs, key "dev-key") and the worker (health http://127.0.0.1:3001/healthz).
Ctrl-C stops everything. Then, in another terminal:
  ./dev.sh upload path/to/clip.mp4          # upload through the API (media-server CLI) and follow the job to its links
  pnpm exec media-server --help             # the CLI itself: jobs ls|get|watch|rm, playback
  curl -H 'authorization: Bearer dev-key' http://127.0.0.1:3000/v1/jobs/<jobId>
BANNER
exec node scripts/dev-processes.ts
