#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when they are missing and apt-get can run (as root):
#   chromium   the browser test of the web page (driven by playwright-core)
#   ffmpeg     the maintained ffmpeg/ffprobe build (media-pipeline prefers it over the bundled 2018 build)
#   bubblewrap the ffmpeg sandbox (bwrap)
#   awscli     the SQS query-protocol cases of the conformance suite
# Prints what it could not install and carries on: the tests that need a missing package say so when they fail.
set -uo pipefail

wanted=()
[ -x /usr/bin/chromium ] || wanted+=(chromium)
[ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ] || wanted+=(ffmpeg)
[ -x /usr/bin/bwrap ] || wanted+=(bubblewrap)
[ -x /usr/bin/aws ] || wanted+=(awscli)
[ ${#wanted[@]} -eq 0 ] && exit 0

log="${SYSTEM_DEPS_LOG:-${TMPDIR:-/tmp}/media-server-system-deps.log}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
  echo "system-deps: missing ${wanted[*]}; install them with your package manager (needs root and apt-get here)" >&2
  exit 0
fi
echo "system-deps: installing ${wanted[*]} with apt-get (log: $log)" >&2
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}"; } > "$log" 2>&1; then
  echo "system-deps: apt-get failed for ${wanted[*]} (see $log)" >&2
fi
exit 0
