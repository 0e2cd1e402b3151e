#!/usr/bin/env bash
# Installs and starts the reference SQS servers on loopback for the conformance suite:
#   moto_server (PyPI moto[server]) and ElasticMQ (Maven Central org.elasticmq:elasticmq-server_2.13).
# Source it: it exports MOTO_ENDPOINT, ELASTICMQ_ENDPOINT and stop_reference_servers.
set -euo pipefail

ci_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_dir="${CI_CACHE_DIR:-$ci_dir/../.toolchain/ci}"
mkdir -p "$cache_dir"
reference_pids=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_for() { # url, name
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.5
  done
  echo "reference servers: $2 did not start" >&2
  return 1
}

if [ ! -x "$cache_dir/venv/bin/moto_server" ]; then
  python3 -m venv "$cache_dir/venv"
  "$cache_dir/venv/bin/pip" install -q 'moto[server]==5.2.5'
fi
export PYTHON_VENV="$cache_dir/venv"

if [ ! -s "$cache_dir/elasticmq.classpath" ]; then
  mvn -q -B -f "$ci_dir/elasticmq/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cache_dir/elasticmq.classpath"
fi

moto_port="$(free_port)"
"$cache_dir/venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" > "$cache_dir/moto.log" 2>&1 &
reference_pids+=($!)
export MOTO_ENDPOINT="http://127.0.0.1:$moto_port"

elasticmq_port="$(free_port)"
sed "s/9324/$elasticmq_port/g" "$ci_dir/elasticmq/elasticmq.conf" > "$cache_dir/elasticmq.conf"
java -Dconfig.file="$cache_dir/elasticmq.conf" -cp "$(cat "$cache_dir/elasticmq.classpath")" org.elasticmq.server.Main \
  > "$cache_dir/elasticmq.log" 2>&1 &
reference_pids+=($!)
export ELASTICMQ_ENDPOINT="http://127.0.0.1:$elasticmq_port"

stop_reference_servers() {
  for pid in "${reference_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

wait_for "$MOTO_ENDPOINT" moto
wait_for "$ELASTICMQ_ENDPOINT/?Action=ListQueues" ElasticMQ
echo "reference servers: moto at $MOTO_ENDPOINT, ElasticMQ at $ELASTICMQ_ENDPOINT" >&2
