# Shared settings of the sweep scripts; source it. Override with environment variables:
#   SECONDS_PER_RUN (window per run, default 10), RUNS (runs per mode, default 3),
#   RESULTS (folder of the JSON files, default bench/results), BENCH_ARGS (more bench options),
#   DELTATOK (the command to run, default ./deltatok; e.g. a wrapper around a copy of the jar so
#   that builds in the same checkout cannot replace it mid-run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
RUNS="${RUNS:-3}"
RESULTS="${RESULTS:-$root/bench/results}"
mkdir -p "$RESULTS"

# bench NAME ARGS...: one `deltatok bench --mode all` invocation, JSON to $RESULTS/NAME.json,
# console output to $RESULTS/NAME.txt, with the machine's load before and after.
bench() {
    local name="$1"
    shift
    {
        echo "# $(date -u +%FT%TZ) load before: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "# ./deltatok bench --mode all --seconds $SECONDS_PER_RUN --runs $RUNS $* ${BENCH_ARGS:-}"
    } > "$RESULTS/$name.txt"
    # shellcheck disable=SC2086
    "${DELTATOK:-$root/deltatok}" bench --mode all --seconds "$SECONDS_PER_RUN" --runs "$RUNS" "$@" ${BENCH_ARGS:-} \
        --json "$RESULTS/$name.json" 2>&1 | grep --line-buffered -v -e BlobServerConnection -e '^java.io.IOException: Unknown operation' -e '^	at ' | tee -a "$RESULTS/$name.txt"
    echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/$name.txt"
}
