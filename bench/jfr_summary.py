#!/usr/bin/env python3
"""Summarises a JFR recording of `deltatok bench` by where the CPU time goes.

Reads `jfr print --json --events jdk.ExecutionSample,jdk.NativeMethodSample FILE` and attributes
each sample to the category of the leaf-most frame that matches one, then lists the top leaf methods. Native samples count only when the thread is in the ONNX
Runtime (other native samples are threads waiting in epoll / park, not CPU).

Usage: python3 bench/jfr_summary.py RECORDING.jfr [TOP]
"""
import collections
import json
import subprocess
import sys

CATEGORIES = [
    ("encoder (ONNX Runtime)", ("ai.onnxruntime.", "OnnxTokenizerModel")),
    ("quantisation", ("quantiz", "Quantiz", "Codebook", "nearest")),
    ("change detection / reference", ("dev.deltatok.reference.", "changed", "Changed")),
    ("token table / delta", ("dev.deltatok.table.", "dev.deltatok.delta.KeyMapCodec")),
    ("decode / resize", ("dev.deltatok.frame.",)),
    ("tokenizer (other)", ("dev.deltatok.delta.", "dev.deltatok.flink.TokenizerOperator")),
    ("state (de)serialisation", ("dev.deltatok.state.", "CameraStateTypeSerializer")),
    ("scene rendering (bench producer)", ("dev.deltatok.scene.",)),
    ("Avro (de)serialisation", ("org.apache.avro.", "dev.deltatok.wire.")),
    ("checkpointing / state backend", ("checkpoint", "Checkpoint", "rocksdb", "RocksDB",
                                       "org.apache.flink.runtime.state.")),
    ("Kafka clients", ("org.apache.kafka.",)),
    ("Flink network / runtime", ("org.apache.flink.",)),
    ("JVM / GC / other", ("",)),
]


def frames_of(event):
    stack = (event.get("values", {}).get("stackTrace") or {}).get("frames") or []
    out = []
    for f in stack:
        m = f.get("method", {})
        t = (m.get("type") or {}).get("name", "")
        out.append(t.replace("/", ".") + "." + m.get("name", ""))
    return out


def category(frames):
    """The category of the leaf-most frame that matches one (self time by subsystem)."""
    for f in frames:
        for name, patterns in CATEGORIES[:-1]:
            if any(p in f for p in patterns):
                return name
    return CATEGORIES[-1][0]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    raw = subprocess.run(
        ["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", path],
        check=True, capture_output=True, text=True).stdout
    events = json.loads(raw)["recording"]["events"]
    by_category = collections.Counter()
    by_leaf = collections.Counter()
    total = 0
    for e in events:
        frames = frames_of(e)
        if not frames:
            continue
        if e["type"] == "jdk.NativeMethodSample" and not any("ai.onnxruntime." in f for f in frames[:3]):
            continue
        total += 1
        by_leaf[frames[0]] += 1
        by_category[category(frames)] += 1
    print(f"{total} CPU samples (Java execution samples + ONNX Runtime native samples)")
    print()
    print("| where | share of samples |")
    print("| --- | --- |")
    for name, n in by_category.most_common():
        print(f"| {name} | {100.0 * n / total:.1f} % |")
    print()
    print("| top leaf method | share |")
    print("| --- | --- |")
    for name, n in by_leaf.most_common(top):
        print(f"| `{name}` | {100.0 * n / total:.1f} % |")


if __name__ == "__main__":
    main()
