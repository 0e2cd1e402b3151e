#!/usr/bin/env bash
# Runs the media-pipeline tests (presets, hostile corpus, sandbox escapes) twice: on the bundled 2018 static
# ffmpeg (@ffmpeg-installer / @ffprobe-installer) and on the system build (Debian's ffmpeg package at
# /usr/bin), each with the sandbox in its default mode (auto). Prints one line of counts per build and exits
# non-zero when either run fails. Needs the Debian packages `ffmpeg` and `bubblewrap`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
mkdir -p .tmp

bundled_ffmpeg="$(cd packages/media-pipeline && node -p "require('@ffmpeg-installer/ffmpeg').path")"
bundled_ffprobe="$(cd packages/media-pipeline && node -p "require('@ffprobe-installer/ffprobe').path")"
status=0
lines=()

run_build() {
  local label="$1" ffmpeg_path="$2" ffprobe_path="$3"
  local report=".tmp/media-pipeline-$label.json"
  echo "media-pipeline tests on the $label build ($ffmpeg_path)"
  if ! FFMPEG_PATH="$ffmpeg_path" FFPROBE_PATH="$ffprobe_path" \
    pnpm vitest run --project media-pipeline --reporter=default --reporter=json --outputFile.json="$report"; then
    status=1
  fi
  if [ -s "$report" ]; then
    lines+=("$(node -e 'const r=require(process.argv[1]); console.log(`media-pipeline on ${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$PWD/$report" "$label")")
  else
    lines+=("media-pipeline on $label: no report")
    status=1
  fi
}

run_build bundled "$bundled_ffmpeg" "$bundled_ffprobe"
if [ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ]; then
  run_build system /usr/bin/ffmpeg /usr/bin/ffprobe
else
  lines+=("media-pipeline on system: /usr/bin/ffmpeg is not installed (apt-get install ffmpeg)")
  status=1
fi
printf '%s\n' "${lines[@]}"
exit "$status"
