#!/usr/bin/env bash
# Submits the deltatok job to a running standalone Flink cluster with the flink CLI, detached.
#
#   deploy/standalone/submit.sh [--savepoint PATH] [--key value ...]
#
# Environment: FLINK_HOME (the cluster's distribution, for bin/flink), REST_ADDRESS and REST_PORT
# (the JobManager's REST endpoint; default: the CLI's conf/config.yaml), JAR (default
# flink-jobs/target/deltatok-job.jar).
# Job options (--kafka.bootstrap-servers ...) are passed through; see README.md "Configuration".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FLINK="${FLINK_HOME:?set FLINK_HOME to the Flink distribution}/bin/flink"
JAR="${JAR:-$ROOT/flink-jobs/target/deltatok-job.jar}"
[[ -f "$JAR" ]] || { echo "$JAR missing: mvn -B -DskipTests clean package -pl flink-jobs -am" >&2; exit 1; }

run_opts=(-d)
if [[ -n "${REST_ADDRESS:-}" ]]; then run_opts+=("-Drest.address=$REST_ADDRESS"); fi
if [[ -n "${REST_PORT:-}" ]]; then run_opts+=("-Drest.port=$REST_PORT"); fi
if [[ "${1:-}" == "--savepoint" ]]; then
    run_opts+=(-s "$2")
    shift 2
fi
exec "$FLINK" run "${run_opts[@]}" "$JAR" "$@"
