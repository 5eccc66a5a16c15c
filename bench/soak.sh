#!/usr/bin/env bash
# Soak test: the tokenizer job (`deltatok run`) for SOAK_MINUTES against a real Kafka broker with
# mixed synthetic cameras at their real frame rate, a trickle of malformed records and groups of
# transient cameras that appear, go silent and expire (keyed-state TTL). Every SAMPLE_SECONDS it
# samples the job JVM (heap after GC from its GC log, RSS, NMT committed), the tokenizer's metrics
# and latest checkpoint size over the MiniCluster's REST API, the consumer lag of the job's frames
# source, and what the job committed (a read_committed counter of deltas and rejections). At the
# end the producers stop, the job drains, and every produced record must have exactly one delta
# or one rejection. Run it niced on a shared machine:
#
#   nice -n 10 bash bench/soak.sh
#
# Settings (environment):
#   SOAK_MINUTES (30)        how long the cameras publish
#   CAMERAS (32), FPS (1)    permanent cameras, spread over the seven synthetic scenes, and their
#                            rate (1 fps: what the job keeps up with on the shared 2-core machine;
#                            at 2 fps its lag grew by ~1 000 records a minute at load 20-35)
#   FORMAT (JPEG)            pixel format the producers publish (JPEG keeps the topic small)
#   CAMERA_TTL (60s)         --state.camera-ttl of the job
#   TRANSIENT_EVERY (150)    seconds between groups of transient cameras
#   TRANSIENT_CAMERAS (4), TRANSIENT_SECONDS (60)  size of a group and how long it publishes; groups
#                            cycle through three id prefixes, so a prefix returns after its TTL
#   MALFORMED_PER_MIN (4)    malformed records a minute (garbage, truncated Avro, wrong fingerprint,
#                            wrong dimensions, bad JPEG, missing key, ...)
#   SAMPLE_SECONDS (60)      sampling period
#   DRAIN_TIMEOUT (900)      longest wait for the job to drain after the producers stop
#   REPORT_EVERY (5)         minutes between rows of the Markdown table
#   OUT (bench/results/soak) samples.jsonl, counts.json, report.md, logs/
#   JOB_JAVA_OPTS (-Xmx3g)   heap of the job JVM (NMT and a GC log are added)
#   JOB_OPTIONS              more job options (--key value ...)
#   PRODUCER_JAVA_OPTS (-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1: cheap start-up)
# The launcher, jar and model are copied to a temporary folder first, so builds in this checkout
# cannot replace them mid-run. Exit status: 0 when nothing was lost or duplicated.
set -euo pipefail

root="${SOAK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# Bash reads a script while it runs it: run from a copy, so that editing the checkout cannot
# change a run in progress.
if [ -z "${SOAK_SCRIPT_COPY:-}" ]; then
    copy="$(mktemp /tmp/deltatok-soak-script.XXXXXX)"
    cp "${BASH_SOURCE[0]}" "$copy"
    SOAK_SCRIPT_COPY="$copy" SOAK_ROOT="$root" exec bash "$copy" "$@"
fi
trap 'rm -f "$SOAK_SCRIPT_COPY"' EXIT
SOAK_MINUTES="${SOAK_MINUTES:-30}"
CAMERAS="${CAMERAS:-32}"
FPS="${FPS:-1}"
FORMAT="${FORMAT:-JPEG}"
CAMERA_TTL="${CAMERA_TTL:-60s}"
TRANSIENT_EVERY="${TRANSIENT_EVERY:-150}"
TRANSIENT_CAMERAS="${TRANSIENT_CAMERAS:-4}"
TRANSIENT_SECONDS="${TRANSIENT_SECONDS:-60}"
MALFORMED_PER_MIN="${MALFORMED_PER_MIN:-4}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-60}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-900}"
REPORT_EVERY="${REPORT_EVERY:-5}"
OUT="${OUT:-$root/bench/results/soak}"
JOB_JAVA_OPTS="${JOB_JAVA_OPTS:--Xmx3g}"
JOB_OPTIONS="${JOB_OPTIONS:-}"
PRODUCER_JAVA_OPTS="${PRODUCER_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
PY=/usr/bin/python3
PREFIX=deltatok
GROUP=deltatok-tokenizer
SCENES=(static corridor busy noise lighting cut pan)

for tool in java jcmd ss "$PY"; do
    command -v "$tool" >/dev/null || { echo "soak: $tool is needed" >&2; exit 2; }
done
"$PY" -c 'import confluent_kafka, avro' 2>/dev/null \
    || { echo "soak: needs Debian's python3-confluent-kafka and python3-avro" >&2; exit 2; }

tmp="$(mktemp -d /tmp/deltatok-soak.XXXXXX)"
pids=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local p i
    # Newest first: transient producers, producers, sampler helpers, the job, then the broker.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        p="${pids[$i]}"
        kill -TERM "$p" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp" "$SOAK_SCRIPT_COPY"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { echo "soak: $(date -u +%T) $*" >&2; }
alive() { kill -0 "$1" 2>/dev/null; }

mkdir -p "$OUT/logs"
rm -f "$OUT/samples.jsonl" "$OUT/counts.json" "$OUT/report.md" "$OUT"/logs/*
export PYTHONPATH="$root/clients/python/src${PYTHONPATH:+:$PYTHONPATH}"

# A frozen copy of the launcher, the jar and the default model (the launcher sees no sources and
# does not rebuild).
"$root/deltatok" --version >/dev/null
dt_root="$tmp/deltatok"
mkdir -p "$dt_root/flink-jobs/target" "$dt_root/models"
cp -p "$root/deltatok" "$dt_root/deltatok"
cp -p "$root/flink-jobs/target/deltatok.jar" "$dt_root/flink-jobs/target/deltatok.jar"
cp -pr "$root/models/default" "$dt_root/models/default"
dt="$dt_root/deltatok"
jar="$dt_root/flink-jobs/target/deltatok.jar"

# Kafka broker (KRaft, one node) from the jar's classpath, as KafkaBroker starts it.
port="$("$PY" "$root/bench/soak.py" free-port)"
cport="$("$PY" "$root/bench/soak.py" free-port)"
while [ "$cport" = "$port" ]; do cport="$("$PY" "$root/bench/soak.py" free-port)"; done
bootstrap="127.0.0.1:$port"
mkdir -p "$tmp/kafka"
cat > "$tmp/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$tmp/kafka/data
num.partitions=4
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
transaction.max.timeout.ms=3600000
group.initial.rebalance.delay.ms=0
message.max.bytes=33554432
replica.fetch.max.bytes=33554432
log.segment.bytes=134217728
log.retention.hours=2
EOF
say "formatting Kafka storage"
CLASSPATH="$jar" java -Xmx256m kafka.tools.StorageTool format \
    -t "$("$PY" "$root/bench/soak.py" cluster-id)" -c "$tmp/kafka/server.properties" --standalone \
    > "$OUT/logs/kafka-format.log" 2>&1
CLASSPATH="$jar" java -Xmx768m -XX:+UseG1GC -Dlog4j2.formatMsgNoLookups=true kafka.Kafka \
    "$tmp/kafka/server.properties" > "$OUT/logs/kafka.log" 2>&1 &
broker=$!
pids+=("$broker")
for _ in $(seq 1 120); do
    ss -ltnH "sport = :$port" | grep -q LISTEN && break
    alive "$broker" || { say "the broker exited; see $OUT/logs/kafka.log"; exit 1; }
    sleep 1
done
say "broker at $bootstrap"

# The job: `deltatok run` with NMT and a GC log; every frame at full budget (overload policy OFF)
# so that each produced frame gets its own delta.
gc_log="$OUT/logs/gc.log"
# The job runs in its own session (setsid), hence its own scheduler autogroup: with autogroups,
# CPU is shared between sessions first, so in this script's session it would compete with the
# producers for one session's share of a machine shared with other users.
# shellcheck disable=SC2086
DELTATOK_JAVA_OPTS="$JOB_JAVA_OPTS -XX:NativeMemoryTracking=summary -Xlog:gc:file=$gc_log:uptime:filecount=0" \
    setsid "$dt" run --bootstrap-servers "$bootstrap" --create-topics \
    --state.camera-ttl "$CAMERA_TTL" --tokenizer.overload-policy OFF $JOB_OPTIONS \
    > "$OUT/logs/job.log" 2>&1 &
job_pid=$!
pids+=("$job_pid")
job_id=""
for _ in $(seq 1 180); do
    job_id="$(sed -n 's/^deltatok: job \([0-9a-f]*\) running.*/\1/p' "$OUT/logs/job.log")"
    [ -n "$job_id" ] && break
    alive "$job_pid" || { say "the job exited; see $OUT/logs/job.log"; exit 1; }
    sleep 1
done
[ -n "$job_id" ] || { say "the job did not start; see $OUT/logs/job.log"; exit 1; }
say "job $job_id (pid $job_pid)"

"$PY" "$root/bench/soak.py" count "$bootstrap" "$PREFIX" "$OUT/counts.json" \
    > "$OUT/logs/counter.log" 2>&1 &
pids+=($!)

# start_producer LOG ARGS...: `deltatok produce ARGS` in the background, its pid in $started;
# waits until it publishes (JVM start-up on a loaded machine can miss the broker's admin timeout,
# so a producer that exits before publishing is started again, up to ten times).
started=""
start_producer() {
    local log="$1" attempt
    shift
    for attempt in $(seq 1 10); do
        DELTATOK_JAVA_OPTS="$PRODUCER_JAVA_OPTS" nice -n 5 "$dt" produce \
            --bootstrap-servers "$bootstrap" --topic "$PREFIX.frames" --fps "$FPS" \
            --format "$FORMAT" "$@" >> "$log" 2>&1 &
        started=$!
        pids+=("$started")
        for _ in $(seq 1 120); do
            grep -q 'camera(s) of' "$log" 2>/dev/null && return 0
            alive "$started" || break
            sleep 1
        done
        alive "$started" && return 0
        wait "$started" 2>/dev/null || true
        say "producer $* exited before publishing (attempt $attempt); see $log"
        sleep 5
    done
    return 1
}

producer_pids=()
producer_args=()
for ((i = 0; i < ${#SCENES[@]}; i++)); do
    n=$(((CAMERAS + ${#SCENES[@]} - 1 - i) / ${#SCENES[@]}))
    [ "$n" -gt 0 ] || continue
    scene="${SCENES[$i]}"
    start_producer "$OUT/logs/produce-$scene.log" --input "synthetic:$scene" --cameras "$n" \
        --camera-id "$scene" || { say "cannot start the $scene producer"; exit 1; }
    producer_pids+=("$started")
    producer_args+=("$scene $n")
done
say "$CAMERAS cameras at $FPS fps ($FORMAT) over ${#SCENES[@]} scenes"

"$PY" "$root/bench/soak.py" inject "$bootstrap" "$PREFIX.frames" "$MALFORMED_PER_MIN" \
    > "$OUT/logs/inject.log" 2>&1 &
inject_pid=$!
pids+=("$inject_pid")

# A full GC of the job (its GC log then gives the live heap): at half time and after the drain.
full_gc() {
    jcmd "$job_pid" GC.run >/dev/null 2>&1 || say "jcmd GC.run failed"
}

t0=$(date +%s)
sample() {
    "$PY" "$root/bench/soak.py" sample "$OUT/samples.jsonl" "$tmp/sampler.json" "$job_pid" \
        "$gc_log" "" "$job_id" "$bootstrap" "$PREFIX" "$GROUP" "$OUT/counts.json" \
        "$OUT/logs/inject.log" "$t0" "$1" || say "sampling failed"
}

end=$((t0 + SOAK_MINUTES * 60))
next_sample=$((t0 + SAMPLE_SECONDS))
next_wave=$((t0 + 30))
wave=0
restarts=0
live_check=0
transient_pid=""
transient_log=""
while [ "$(date +%s)" -lt "$end" ]; do
    now=$(date +%s)
    alive "$job_pid" || { say "the job exited; see $OUT/logs/job.log"; exit 1; }
    # A permanent producer that died is replaced under new camera ids (the old ids' seq is ahead).
    for ((i = 0; i < ${#producer_pids[@]}; i++)); do
        alive "${producer_pids[$i]}" && continue
        read -r scene n <<< "${producer_args[$i]}"
        restarts=$((restarts + 1))
        say "the $scene producer exited; starting it again as $scene-r$restarts-*"
        start_producer "$OUT/logs/produce-$scene.log" --input "synthetic:$scene" --cameras "$n" \
            --camera-id "$scene-r$restarts" || { say "cannot restart the $scene producer"; exit 1; }
        producer_pids[i]="$started"
    done
    # Transient groups start in the background so that sampling goes on; one that exits before
    # publishing (start-up missed the broker's admin timeout) is started again.
    if [ -n "$transient_pid" ] && ! alive "$transient_pid"; then
        status=0
        wait "$transient_pid" || status=$?
        transient_pid=""
        if [ "$status" -ne 0 ] && ! grep -q 'camera(s) of' "$transient_log"; then
            say "transient group $((wave - 1)) exited before publishing; starting it again"
            wave=$((wave - 1))
            next_wave=$now
        fi
    fi
    if [ "$now" -ge "$next_wave" ] && [ -z "$transient_pid" ]; then
        scene="${SCENES[$((wave % ${#SCENES[@]}))]}"
        transient_log="$OUT/logs/produce-transient-$wave.log"
        say "transient group $wave: $TRANSIENT_CAMERAS cameras transient$((wave % 3))-* ($scene)"
        DELTATOK_JAVA_OPTS="$PRODUCER_JAVA_OPTS" nice -n 5 "$dt" produce \
            --bootstrap-servers "$bootstrap" --topic "$PREFIX.frames" --fps "$FPS" \
            --format "$FORMAT" --input "synthetic:$scene" \
            --cameras "$TRANSIENT_CAMERAS" --camera-id "transient$((wave % 3))" \
            --frames "$(awk -v s="$TRANSIENT_SECONDS" -v f="$FPS" 'BEGIN { print int(s * f) }')" \
            > "$transient_log" 2>&1 &
        transient_pid=$!
        pids+=("$transient_pid")
        wave=$((wave + 1))
        next_wave=$((now + TRANSIENT_EVERY))
    fi
    if [ "$live_check" = 0 ] && [ "$now" -ge "$((t0 + SOAK_MINUTES * 30))" ]; then
        live_check=1
        full_gc
    fi
    if [ "$now" -ge "$next_sample" ]; then
        sample run
        next_sample=$((next_sample + SAMPLE_SECONDS))
    fi
    sleep 2
done

say "stopping the producers; waiting for the job to drain"
for p in "${producer_pids[@]}" "$inject_pid"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${producer_pids[@]}" "$inject_pid"; do wait "$p" 2>/dev/null || true; done
if [ -n "$transient_pid" ]; then
    kill -TERM "$transient_pid" 2>/dev/null || true
    wait "$transient_pid" 2>/dev/null || true
fi
drain_end=$(($(date +%s) + DRAIN_TIMEOUT))
stable=0
last=""
while [ "$(date +%s)" -lt "$drain_end" ]; do
    sleep 15
    sample drain
    cur="$("$PY" -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(s.get("lag"), s.get("frames_produced"), (s.get("deltas") or 0)+(s.get("rejections") or 0))' "$OUT/samples.jsonl")"
    read -r lag produced answered <<< "$cur"
    if [ "$lag" = "0" ] && [ "$cur" = "$last" ]; then
        stable=$((stable + 1))
        # drained: no lag, and nothing new committed for two samples (the counter writes every 5 s)
        [ "$stable" -ge 2 ] && break
    else
        stable=0
    fi
    last="$cur"
    say "draining: lag $lag, produced $produced, answered $answered"
done
full_gc
sample end
say "permanent producers restarted: $restarts"
"$PY" "$root/bench/soak.py" report "$OUT/samples.jsonl" "$OUT/counts.json" "$OUT/report.md" "$REPORT_EVERY"
