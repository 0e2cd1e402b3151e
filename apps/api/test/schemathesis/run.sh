#!/usr/bin/env bash
# Runs schemathesis (PyPI) against /openapi.json of a running API on local-aws.
# Needs: Node 24 (scripts/toolchain.sh) and a Python 3.9+ with venv/pip ($PYTHON, default python3).
# Exits non-zero when schemathesis finds a failure (server error, schema or status/content-type mismatch).
#
# Environment (all optional):
#   PYTHON                 python to build the venv with (default python3)
#   SCHEMATHESIS_VERSION   pinned version (default 4.32.5)
#   SCHEMATHESIS_HOME      where the venv lives (default ${XDG_CACHE_HOME:-~/.cache}/media-server/schemathesis-<version>)
#   MAX_EXAMPLES           examples per operation and phase (default 30)
#   SEED                   schemathesis seed, for a reproducible run (default: random)
#   REPORT_DIR             where the JUnit report goes (default a temp dir, path printed)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
api_dir=$(cd "$here/../.." && pwd)
root=$(cd "$api_dir/../.." && pwd)
python=${PYTHON:-python3}
version=${SCHEMATHESIS_VERSION:-4.32.5}
venv=${SCHEMATHESIS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/media-server/schemathesis-$version}
max_examples=${MAX_EXAMPLES:-30}
report_dir=${REPORT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/schemathesis-report.XXXXXX")}

# Node 24 and pnpm from the repository's toolchain, when it is there.
if [[ -f "$root/scripts/toolchain.sh" ]]; then
  # shellcheck source=/dev/null
  source "$root/scripts/toolchain.sh" >/dev/null
fi

if [[ ! -x "$venv/bin/schemathesis" ]]; then
  echo "schemathesis: installing $version into $venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

server_log=$(mktemp "${TMPDIR:-/tmp}/api-schemathesis-server.XXXXXX")
server_out=$(mktemp "${TMPDIR:-/tmp}/api-schemathesis-url.XXXXXX")
server_pid=''
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -f "$server_out"
}
trap cleanup EXIT

(cd "$api_dir" && exec node --conditions=@media-server/source test/schemathesis/serve.ts >"$server_out" 2>"$server_log") &
server_pid=$!

line=''
for _ in $(seq 1 300); do
  line=$(head -n 1 "$server_out" 2>/dev/null || true)
  [[ -n "$line" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis: the API did not start:" >&2
    cat "$server_log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$line" ]]; then
  echo "schemathesis: the API did not print its address within 30 s" >&2
  cat "$server_log" >&2
  exit 1
fi
base_url=$("$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])["baseUrl"])' "$line")
api_key=$("$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])["apiKey"])' "$line")
echo "schemathesis: API at $base_url, report in $report_dir"

seed_args=()
if [[ -n "${SEED:-}" ]]; then seed_args=(--seed "$SEED"); fi

status=0
"$venv/bin/schemathesis" run "$base_url/openapi.json" \
  --header "Authorization: Bearer $api_key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$max_examples" \
  --workers 1 \
  --request-timeout 20 \
  --suppress-health-check too_slow,filter_too_much \
  --output-sanitize false \
  --report junit --report-dir "$report_dir" \
  "${seed_args[@]}" || status=$?

if [[ $status -ne 0 ]]; then
  echo "schemathesis: failures (exit $status); server log: $server_log" >&2
else
  rm -f "$server_log"
fi
exit $status
