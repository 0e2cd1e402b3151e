#!/usr/bin/env bash
# Builds the folder an app's image runs, the same here and in the Dockerfile:
#   <outDir>/dist/main.js      the app bundled with the workspace packages (infra/images/bundle-app.ts)
#   <outDir>/node_modules      production dependencies only (`pnpm deploy --prod`, flat layout so that
#                              the bundled workspace code finds its own dependencies too)
#   <outDir>/package.json
#   <outDir>/web               (api) the web page, which imports @media-server/client's browser build from
#                              node_modules/@media-server/client/dist (built here first if missing or stale)
# Usage: infra/images/prepare-app.sh <api|worker> <outDir> [--system-ffmpeg]
#   (from any directory, after `pnpm install`). --system-ffmpeg drops the npm-bundled ffmpeg/ffprobe (a 2018
#   static build): the image sets FFMPEG_PATH/FFPROBE_PATH to its own, current ffmpeg.
set -euo pipefail
app="$1"
out="$(realpath -m "$2")"
system_ffmpeg="${3:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rm -rf "$out"
if [ "$app" = api ]; then
  node scripts/client-build.ts
fi
pnpm --filter "@media-server/$app" deploy --prod --legacy --config.node-linker=hoisted "$out" > /dev/null
node infra/images/bundle-app.ts "$app" "$out/dist"
# The image runs the bundle only: no TypeScript sources, tests or benches.
rm -rf "$out/src" "$out/test" "$out/bench" "$out/tsconfig.json" "$out/vitest.config.ts" "$out/Dockerfile" "$out/.turbo"
if [ "$system_ffmpeg" = "--system-ffmpeg" ]; then
  rm -rf "$out/node_modules/@ffmpeg-installer" "$out/node_modules/@ffprobe-installer"
fi
