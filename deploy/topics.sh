#!/usr/bin/env bash
# Creates deltatok's Kafka topics from deploy/topics/topics.properties with kafka-topics.sh.
# Idempotent: existing topics are left alone (--if-not-exists); --alter-configs also applies the
# file's topic configs to existing topics (kafka-configs.sh). Partition counts are never changed
# here: adding partitions to a keyed topic moves cameras to other partitions.
#
#   deploy/topics.sh [--bootstrap HOST:PORT] [--replication-factor N] [--command-config FILE]
#                    [--file PROPERTIES] [--alter-configs] [--dry-run]
#
# Environment: BOOTSTRAP (default localhost:9092), REPLICATION_FACTOR (default 3),
# KAFKA_BIN (folder of kafka-topics.sh / kafka-configs.sh; default: found on PATH).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BOOTSTRAP="${BOOTSTRAP:-localhost:9092}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
FILE="$HERE/topics/topics.properties"
COMMAND_CONFIG=""
ALTER=false
DRY_RUN=false

while [[ $# -gt 0 ]]; do
    case "$1" in
        --bootstrap|--bootstrap-server) BOOTSTRAP="$2"; shift 2 ;;
        --replication-factor) REPLICATION_FACTOR="$2"; shift 2 ;;
        --command-config) COMMAND_CONFIG="$2"; shift 2 ;;
        --file) FILE="$2"; shift 2 ;;
        --alter-configs) ALTER=true; shift ;;
        --dry-run) DRY_RUN=true; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

[[ "$REPLICATION_FACTOR" =~ ^[1-9][0-9]*$ ]] \
    || { echo "--replication-factor must be a positive integer, got '$REPLICATION_FACTOR'" >&2; exit 2; }
[[ -f "$FILE" ]] || { echo "topic definitions not found: $FILE" >&2; exit 2; }

tool() {
    local name="$1"
    if [[ -n "${KAFKA_BIN:-}" ]]; then echo "$KAFKA_BIN/$name"; return; fi
    if command -v "$name" >/dev/null; then command -v "$name"; return; fi
    # Confluent packages name the tools without .sh.
    if command -v "${name%.sh}" >/dev/null; then command -v "${name%.sh}"; return; fi
    if [[ "$DRY_RUN" == true ]]; then echo "$name"; return; fi
    echo "$name not found: put Kafka's bin/ on the PATH or set KAFKA_BIN" >&2
    exit 1
}

run() {
    if [[ "$DRY_RUN" == true ]]; then printf '%q ' "$@"; echo; else "$@"; fi
}

# key=value lines, comments and blanks skipped, surrounding spaces trimmed.
props() { grep -Ev '^[[:space:]]*(#|$)' "$FILE" | sed -E 's/^[[:space:]]+//; s/[[:space:]]*=[[:space:]]*/=/; s/[[:space:]]+$//'; }
value() { props | awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }

MIN_ISR=$(( REPLICATION_FACTOR >= 3 ? 2 : 1 ))
CONNECT=(--bootstrap-server "$BOOTSTRAP")
[[ -n "$COMMAND_CONFIG" ]] && CONNECT+=(--command-config "$COMMAND_CONFIG")

ids=$(props | sed -nE 's/^([A-Za-z0-9_-]+)\.name=.*/\1/p')
[[ -n "$ids" ]] || { echo "no <id>.name entries in $FILE" >&2; exit 2; }

for id in $ids; do
    name=$(value "$id.name")
    partitions=$(value "$id.partitions")
    [[ "$partitions" =~ ^[1-9][0-9]*$ ]] \
        || { echo "$FILE: $id.partitions must be a positive integer, got '$partitions'" >&2; exit 2; }
    configs=("min.insync.replicas=$MIN_ISR")
    while IFS= read -r line; do
        configs+=("${line#"$id".config.}")
    done < <(props | grep -E "^${id}\.config\.")

    create=("$(tool kafka-topics.sh)" "${CONNECT[@]}" --create --if-not-exists --topic "$name"
        --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR")
    for c in "${configs[@]}"; do create+=(--config "$c"); done
    run "${create[@]}"

    if [[ "$ALTER" == true ]]; then
        joined=$(IFS=,; echo "${configs[*]}")
        run "$(tool kafka-configs.sh)" "${CONNECT[@]}" --alter --entity-type topics \
            --entity-name "$name" --add-config "$joined"
    fi
done
