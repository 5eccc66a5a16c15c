#!/usr/bin/env python3
"""Helpers of bench/soak.sh: malformed-record trickle, delivery counter, sampler, report.

Run with Debian's /usr/bin/python3 (python3-confluent-kafka, python3-avro); the wire format comes
from clients/python (on PYTHONPATH). Subcommands:

  inject  BOOTSTRAP TOPIC PER_MINUTE       publishes malformed frames until killed
  count   BOOTSTRAP PREFIX STATUS_FILE     follows the deltas and rejected topics (read_committed),
                                           checks deltaSeq per camera, writes counts every 5 s
  sample  ...                              appends one sample (a JSON line) to the samples file
  report  SAMPLES_JSONL COUNTS_JSON OUT_MD EVERY_MIN  writes the Markdown summary
"""

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition

_stop = False


def _on_term(signum, frame):
    global _stop
    _stop = True


signal.signal(signal.SIGTERM, _on_term)
signal.signal(signal.SIGINT, _on_term)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# malformed records


def _frame(codec, camera, width, height, fmt, data):
    now = int(time.time() * 1e6)
    return codec.encode(
        {
            "cameraId": camera,
            "seq": now,
            "captureTime": now,
            "width": width,
            "height": height,
            "format": fmt,
            "data": data,
            "attributes": {"soak": "malformed"},
        }
    )


def malformed(codec, kind, rng):
    """(key, value) of one malformed record of the given kind; every one must be rejected."""
    camera = "bad-" + kind
    key = camera.encode()
    if kind == "garbage":
        return key, bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400)))
    if kind == "truncated":
        v = _frame(codec, camera, 64, 64, "RGB24", bytes(64 * 64 * 3))
        return key, v[: rng.randint(3, len(v) - 1)]
    if kind == "fingerprint":
        v = bytearray(_frame(codec, camera, 64, 64, "RGB24", bytes(64 * 64 * 3)))
        v[2:10] = rng.getrandbits(64).to_bytes(8, "little")
        return key, bytes(v)
    if kind == "size-mismatch":  # RGB24 whose data is not width x height x 3
        return key, _frame(codec, camera, 256, 256, "RGB24", bytes(1000))
    if kind == "zero-dims":
        return key, _frame(codec, camera, 0, 256, "RGB24", b"")
    if kind == "too-large":
        return key, _frame(codec, camera, 100000, 100000, "GRAY8", bytes(16))
    if kind == "bad-jpeg":
        return key, _frame(codec, camera, 256, 256, "JPEG", b"\xff\xd8\xff" + bytes(500))
    if kind == "no-key":
        return None, _frame(codec, "bad-no-key", 16, 16, "GRAY8", bytes(256))
    raise ValueError(kind)


KINDS = [
    "garbage",
    "truncated",
    "fingerprint",
    "size-mismatch",
    "zero-dims",
    "too-large",
    "bad-jpeg",
    "no-key",
]


def cmd_inject(bootstrap, topic, per_minute):
    from deltatok.wire import WireCodec

    codec = WireCodec("Frame")
    rng = random.Random(7)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    sent = {k: 0 for k in KINDS}
    period = 60.0 / float(per_minute)
    i = 0
    while not _stop:
        kind = KINDS[i % len(KINDS)]
        i += 1
        key, value = malformed(codec, kind, rng)
        producer.produce(topic, key=key, value=value)
        producer.flush(10)
        sent[kind] += 1
        print(json.dumps({"time": time.time(), "sent": sent}), flush=True)
        deadline = time.time() + period
        while not _stop and time.time() < deadline:
            time.sleep(0.2)
    producer.flush(10)


# ---------------------------------------------------------------------------------------------
# counter of what the job committed


def _varint(data, at):
    shift = 0
    result = 0
    while True:
        b = data[at]
        at += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
    return (result >> 1) ^ -(result & 1), at


def delta_head(value):
    """(cameraId, deltaSeq, frameSeq): the first three fields after the 10-byte header."""
    n, at = _varint(value, 10)
    camera = value[at : at + n].decode("utf-8")
    delta_seq, at = _varint(value, at + n)
    frame_seq, at = _varint(value, at)
    return camera, delta_seq, frame_seq


def cmd_count(bootstrap, prefix, status_file):
    from deltatok.wire import WireCodec

    rejected_codec = WireCodec("RejectedFrame")
    deltas_topic, rejected_topic = prefix + ".deltas", prefix + ".rejected"
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "soak-counter-%d" % os.getpid(),
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([deltas_topic, rejected_topic])
    last_seq = {}
    counts = {
        "deltas": 0,
        "rejections": 0,
        "streams": 0,  # deltaSeq 0: a camera's first delta, or its first after TTL expiry
        "duplicates": 0,  # deltaSeq not above the camera's previous one (and not 0)
        "gaps": 0,  # deltaSeq more than one above the previous
        "cameras": 0,
        "rejected_by_reason": {},
        "rejected_sources": 0,  # distinct (partition, offset) of rejected records
        "rejected_source_duplicates": 0,
    }
    sources = set()
    written = 0.0
    while not _stop:
        msgs = consumer.consume(500, 1.0)
        for m in msgs:
            if m.error():
                continue
            if m.topic() == deltas_topic:
                camera, dseq, _ = delta_head(m.value())
                counts["deltas"] += 1
                prev = last_seq.get(camera)
                if dseq == 0:
                    counts["streams"] += 1
                elif prev is None or dseq > prev + 1:
                    counts["gaps"] += 1
                elif dseq <= prev:
                    counts["duplicates"] += 1
                last_seq[camera] = dseq
            else:
                r = rejected_codec.decode(m.value())
                counts["rejections"] += 1
                reason = r["reason"]
                counts["rejected_by_reason"][reason] = (
                    counts["rejected_by_reason"].get(reason, 0) + 1
                )
                src = (r.get("sourcePartition"), r.get("sourceOffset"))
                if src in sources:
                    counts["rejected_source_duplicates"] += 1
                sources.add(src)
        now = time.time()
        if now - written >= 5 or _stop:
            counts["cameras"] = len(last_seq)
            counts["rejected_sources"] = len(sources)
            counts["time"] = now
            tmp = status_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(counts, f)
            os.replace(tmp, status_file)
            written = now
    consumer.close()


# ---------------------------------------------------------------------------------------------
# one sample


def _kb(text):
    return int(text) / 1024.0


def jvm_memory(pid, gc_log, gc_pos):
    """Heap after the GCs logged since gc_pos, RSS, NMT totals; returns (dict, new gc_pos)."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss_mb"] = round(int(line.split()[1]) / 1024.0, 1)
    except OSError:
        pass
    try:
        nmt = subprocess.run(
            ["jcmd", str(pid), "VM.native_memory", "summary"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        m = re.search(r"Total: reserved=(\d+)KB, committed=(\d+)KB", nmt)
        if m:
            out["nmt_committed_mb"] = round(_kb(m.group(2)), 1)
        m = re.search(r"Java Heap \(reserved=(\d+)KB, committed=(\d+)KB\)", nmt)
        if m:
            out["heap_committed_mb"] = round(_kb(m.group(2)), 1)
            if "nmt_committed_mb" in out:
                out["nmt_non_heap_mb"] = round(out["nmt_committed_mb"] - out["heap_committed_mb"], 1)
        if "rss_mb" in out and "heap_committed_mb" in out:
            # memory outside the Java heap, including what NMT does not see (ONNX Runtime's malloc)
            out["rss_minus_heap_mb"] = round(out["rss_mb"] - out["heap_committed_mb"], 1)
        heap = subprocess.run(
            ["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60
        ).stdout
        m = re.search(r"total (\d+)K, used (\d+)K", heap)
        if m:
            out["heap_used_mb"] = round(int(m.group(2)) / 1024.0, 1)
    except (OSError, subprocess.TimeoutExpired):
        pass
    after, full = [], []
    try:
        with open(gc_log) as f:
            f.seek(gc_pos)
            chunk = f.read()
            gc_pos = f.tell()
        for m in re.finditer(r"Pause (Young|Full|Remark)[^\n]*? (\d+)M->(\d+)M\((\d+)M\)", chunk):
            # A full GC (soak.sh forces one at half time and after the drain) leaves only live
            # objects; after a young or mixed one the old generation still holds garbage.
            if m.group(1) == "Full":
                full.append(int(m.group(3)))
            else:
                after.append(int(m.group(3)))
    except OSError:
        pass
    if after:
        out["heap_after_gc_mb"] = min(after)
        out["heap_after_gc_last_mb"] = after[-1]
    if full:
        out["heap_live_mb"] = full[-1]
    out["gcs"] = len(after) + len(full)
    return out, gc_pos


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def rest_port(pid):
    """The MiniCluster's REST port: the listening socket of pid that answers /config."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "pid=%d," % pid not in line:
            continue
        port = int(line.split()[3].rsplit(":", 1)[1])
        try:
            if "flink-version" in _get("http://127.0.0.1:%d/config" % port):
                return port
        except Exception:
            continue
    return None


def flink_metrics(port, job):
    """Tokenizer metrics (summed or max over subtasks) and the latest checkpoint's size."""
    out = {}
    base = "http://127.0.0.1:%d/jobs/%s" % (port, job)
    info = _get(base)
    out["job_state"] = info.get("state")
    wanted = {
        "stateBytesPerCamera": "max",
        "camerasExpired": "sum",
        "framesIn": "sum",
        "framesRejected": "sum",
        "framesSkipped": "sum",
        "framesAtReducedBudget": "sum",
    }
    for v in info.get("vertices", []):
        names = [m["id"] for m in _get("%s/vertices/%s/subtasks/metrics" % (base, v["id"]))]
        pick = [n for n in names if n.rsplit(".", 1)[-1] in wanted]
        if not pick:
            continue
        got = _get(
            "%s/vertices/%s/subtasks/metrics?get=%s&agg=sum,max"
            % (base, v["id"], ",".join(pick))
        )
        for m in got:
            short = m["id"].rsplit(".", 1)[-1]
            out[short] = m.get(wanted[short])
    cp = _get(base + "/checkpoints")
    latest = (cp.get("latest") or {}).get("completed") or {}
    out["checkpoint_bytes"] = latest.get("state_size", latest.get("checkpointed_size"))
    counts = cp.get("counts") or {}
    out["checkpoints_completed"] = counts.get("completed")
    out["checkpoints_failed"] = counts.get("failed")
    try:
        exc = _get(base + "/exceptions?maxExceptions=1")
        out["job_exceptions"] = len(exc.get("exceptionHistory", {}).get("entries", []))
    except Exception:
        pass
    return out


def kafka_offsets(bootstrap, topic, group):
    """(sum of end offsets, sum of group's committed offsets) over the topic's partitions."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=10)
        parts = [TopicPartition(topic, p) for p in md.topics[topic].partitions]
        end = sum(c.get_watermark_offsets(tp, timeout=10)[1] for tp in parts)
        committed = sum(max(tp.offset, 0) for tp in c.committed(parts, timeout=10))
        return end, committed
    finally:
        c.close()


def cmd_sample(args):
    (samples, state_file, pid, gc_log, port_hint, job, bootstrap, prefix, group, counts_file,
     inject_file, t0, phase) = args
    pid = int(pid)
    state = {}
    if os.path.exists(state_file):
        with open(state_file) as f:
            state = json.load(f)
    s = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "phase": phase}
    s["minute"] = round((time.time() - float(t0)) / 60.0, 2)
    mem, state["gc_pos"] = jvm_memory(pid, gc_log, state.get("gc_pos", 0))
    s.update(mem)
    port = state.get("port") or (int(port_hint) if port_hint else None) or rest_port(pid)
    state["port"] = port
    try:
        s.update(flink_metrics(port, job))
    except Exception as e:
        s["rest_error"] = str(e)
    try:
        end, committed = kafka_offsets(bootstrap, prefix + ".frames", group)
        s["frames_produced"] = end
        s["frames_committed_offsets"] = committed
        s["lag"] = end - committed
    except Exception as e:
        s["kafka_error"] = str(e)
    try:
        with open(counts_file) as f:
            c = json.load(f)
        for k in ("deltas", "rejections", "duplicates", "gaps", "streams", "cameras"):
            s[k] = c.get(k)
    except (OSError, ValueError):
        pass
    try:
        with open(inject_file) as f:
            lines = f.read().splitlines()
        if lines:
            s["malformed_sent"] = sum(json.loads(lines[-1])["sent"].values())
    except (OSError, ValueError):
        pass
    with open(samples, "a") as f:
        f.write(json.dumps(s) + "\n")
    with open(state_file, "w") as f:
        json.dump(state, f)
    print(
        "soak: min %5.1f %-5s heap-after-gc %s MB rss %s MB nmt %s MB lag %s produced %s "
        "deltas %s rejected %s state/camera %s B expired %s"
        % (s["minute"], phase, s.get("heap_after_gc_mb"), s.get("rss_mb"),
           s.get("nmt_committed_mb"), s.get("lag"), s.get("frames_produced"), s.get("deltas"),
           s.get("rejections"), s.get("stateBytesPerCamera"), s.get("camerasExpired")),
        flush=True,
    )


# ---------------------------------------------------------------------------------------------
# report


def _fmt(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, float):
        return ("%." + str(digits) + "f") % v
    return str(v)


def cmd_report(samples_file, counts_file, out_md, every):
    every = float(every)
    rows = [json.loads(line) for line in open(samples_file) if line.strip()]
    run = [r for r in rows if r.get("phase") == "run"]
    picked, next_at = [], 0.0
    for r in run:
        if r["minute"] >= next_at - 0.5 or "heap_live_mb" in r:
            picked.append(r)
            next_at = max(next_at, r["minute"] + every)
    if run and picked[-1] is not run[-1]:
        picked.append(run[-1])
    rest = [r for r in rows if r.get("phase") != "run"]
    picked += [r for r in rest[:-1] if "heap_live_mb" in r] + rest[-1:]
    lines = [
        "| minute | phase | heap after young GC (min of the minute) MB | live heap after a full "
        "GC MB | RSS MB | NMT committed MB "
        "(non-heap) | RSS − Java heap committed MB | frames produced | lag (records) | deltas "
        "| rejections | state bytes/camera (gauge) | checkpoint bytes | cameras expired |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for r in picked:
        lines.append(
            "| %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s |"
            % (_fmt(r.get("minute"), 1), r.get("phase"), _fmt(r.get("heap_after_gc_mb")),
               _fmt(r.get("heap_live_mb")),
               _fmt(r.get("rss_mb"), 0), _fmt(r.get("nmt_committed_mb"), 0),
               _fmt(r.get("nmt_non_heap_mb"), 0), _fmt(r.get("rss_minus_heap_mb"), 0),
               _fmt(r.get("frames_produced")),
               _fmt(r.get("lag")), _fmt(r.get("deltas")), _fmt(r.get("rejections")),
               _fmt(r.get("stateBytesPerCamera")), _fmt(r.get("checkpoint_bytes")),
               _fmt(r.get("camerasExpired")))
        )
    counts = {}
    if os.path.exists(counts_file):
        counts = json.load(open(counts_file))
    last = rows[-1] if rows else {}
    produced = last.get("frames_produced")
    answered = (counts.get("deltas") or 0) + (counts.get("rejections") or 0)
    lines.append("")
    lines.append(
        "Final: %s frame records produced (malformed included), %s deltas + %s rejections = %s "
        "answered; %s duplicate and %s gap in deltaSeq, %s camera streams started (deltaSeq 0), "
        "%s rejected sources seen twice, %s frames skipped by the overload policy, final lag %s."
        % (produced, counts.get("deltas"), counts.get("rejections"), answered,
           counts.get("duplicates"), counts.get("gaps"), counts.get("streams"),
           counts.get("rejected_source_duplicates"), last.get("framesSkipped"), last.get("lag"))
    )
    live = [(r["minute"], r["heap_live_mb"]) for r in rows if "heap_live_mb" in r]
    if live:
        lines.append("Live heap after the forced full GCs: %s." % ", ".join(
            "%s MB at minute %.1f" % (mb, minute) for minute, mb in live))
    failed = last.get("checkpoints_failed")
    lines.append("Checkpoints: %s completed, %s failed; job exceptions: %s." % (
        last.get("checkpoints_completed"), failed, last.get("job_exceptions")))
    lines.append("Rejections by reason: %s." % json.dumps(counts.get("rejected_by_reason", {}),
                                                        sort_keys=True))
    if last.get("lag"):
        verdict = "NOT DRAINED: lag %s at the end, %s produced, %s answered" % (
            last.get("lag"), produced, answered)
    elif produced == answered:
        verdict = "nothing lost"
    else:
        verdict = "MISMATCH: %s produced, %s answered" % (produced, answered)
    lines.append("Delivery: %s." % verdict)
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0 if produced == answered and not counts.get("duplicates") and not counts.get(
        "gaps") else 1


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "inject":
        cmd_inject(argv[2], argv[3], argv[4])
    elif cmd == "count":
        cmd_count(argv[2], argv[3], argv[4])
    elif cmd == "sample":
        cmd_sample(argv[2:])
    elif cmd == "report":
        return cmd_report(argv[2], argv[3], argv[4], argv[5])
    elif cmd == "free-port":
        print(free_port())
    elif cmd == "cluster-id":
        import base64
        import uuid

        print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
