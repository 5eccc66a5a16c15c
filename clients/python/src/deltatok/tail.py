"""``python3 -m deltatok tail|mirror|fingerprints``: the Python side of ``./deltatok tail``.

``tail --format jsonl|llm`` prints, byte for byte, what the Java ``deltatok tail`` prints for
the same records (``TailCommand``, ``DeltaJson``, ``LlmRecord.toJsonTree``).
"""

import argparse
import hashlib
import re
import sys
import time
import uuid
from typing import Dict, Iterable, Iterator, List, Optional

from . import canonical, javajson, keymap, wire
from .llm import LlmVocabulary, LlmWindower
from .mirror import Camera, Mirror, MirrorSyncError, Problem
from .wire import TokenDelta, TokenDeltaCodec

PROG = "deltatok"


def delta_json_tree(d: TokenDelta) -> dict:
    """A delta as the JSON tree ``tail --format jsonl`` prints, key map decoded."""
    positions, slots = keymap.decode(d.key_map, d.grid_rows * d.grid_cols)
    s = d.stats
    return {
        "camera": d.camera_id,
        "deltaSeq": d.delta_seq,
        "frameSeq": d.frame_seq,
        "captureTime": javajson.instant_from_micros(d.capture_time_micros),
        "emitTime": javajson.instant_from_micros(d.emit_time_micros),
        "kind": d.kind,
        "model": d.model_id,
        "grid": [d.grid_rows, d.grid_cols],
        "levels": d.levels,
        "upserts": [{"slot": u.slot, "tokens": list(u.tokens)} for u in d.upserts],
        "evictions": list(d.evictions),
        "keyMap": [[p, q] for p, q in zip(positions, slots)],
        "stats": {
            "changedPatches": s.changed_patches,
            "encodedPatches": s.encoded_patches,
            "sentPatches": s.sent_patches,
            "tokens": s.tokens,
            "tableSize": s.table_size,
            "estimatedError": javajson.Float32(s.estimated_error),
            "keyframeReason": s.keyframe_reason,
            "skippedFrames": s.skipped_frames,
            "budgetScale": javajson.Float32(s.budget_scale),
        },
    }


def mirror_json_tree(cam: Camera) -> dict:
    """What the mirror holds for a camera, for comparing mirrors across languages; embeddings
    as the SHA-256 of the float32 little-endian ``[rows, cols, D]`` array (null without
    latents)."""
    embeddings = None
    if cam.synced and cam.has_latents():
        embeddings = hashlib.sha256(cam.embeddings().astype("<f4").tobytes()).hexdigest()
    return {
        "camera": cam.camera_id,
        "synced": cam.synced,
        "lastAppliedSeq": cam.last_applied_seq,
        "lastFrameSeq": cam.last_frame_seq,
        "skippedDeltas": cam.skipped_deltas,
        "grid": [cam.grid_rows, cam.grid_cols],
        "levels": cam.levels,
        "model": cam.model_id,
        "table": {str(s): list(ids) for s, ids in cam.table.items()},
        "keyMap": cam.key_map,
        "embeddings": embeddings,
    }


_DURATION = re.compile(r"^(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def parse_duration(text: str) -> float:
    """Seconds of a duration written as Java's ``Duration.parse("PT" + text)`` reads it:
    ``10s``, ``2m``, ``1h30m``, ``0.5s``."""
    m = _DURATION.match(text.upper())
    if not m or not any(m.groups()) or not text:
        raise ValueError(text)
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


class _Stop(Exception):
    pass


def _records(args, err) -> Iterator[TokenDelta]:
    """Deltas from Kafka, read_committed, in a fresh group; from the end unless
    ``--from-beginning``; ends after ``--idle-timeout`` without records."""
    try:
        from confluent_kafka import OFFSET_END, Consumer, KafkaError, KafkaException
    except ImportError:
        err.write(
            "deltatok tail: the Kafka client is missing: install Debian's python3-confluent-kafka"
            " (apt-get install python3-confluent-kafka) or pip's confluent-kafka\n"
        )
        raise SystemExit(4)
    codec = TokenDeltaCodec()
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": "deltatok-reader-" + str(uuid.uuid4()),
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "max.partition.fetch.bytes": 33554432,
            "allow.auto.create.topics": False,
        }
    )
    try:
        try:
            topics = consumer.list_topics(timeout=30).topics
        except KafkaException as e:
            err.write("deltatok tail: cannot reach Kafka at %s: %s\n" % (args.bootstrap_servers, e))
            raise SystemExit(3)
        if args.topic not in topics or topics[args.topic].error is not None:
            err.write(
                "deltatok tail: missing topic(s) [%s] on %s: create them (deploy/topics.sh) or "
                "start the job with --create-topics\n" % (args.topic, args.bootstrap_servers)
            )
            raise SystemExit(3)

        def on_assign(c, partitions):
            if not args.from_beginning:
                for p in partitions:
                    p.offset = OFFSET_END
                c.assign(partitions)

        consumer.subscribe([args.topic], on_assign=on_assign)
        err.write(
            "deltatok tail: reading %s from %s (%s)%s; Ctrl-C stops\n"
            % (
                args.topic,
                "the beginning" if args.from_beginning else "the end",
                getattr(args, "format", "mirror"),
                "" if args.camera is None else ", camera " + args.camera,
            )
        )
        err.flush()
        last = time.monotonic()
        while True:
            messages = consumer.consume(num_messages=500, timeout=0.2)
            if messages:
                last = time.monotonic()
            elif args.idle_timeout is not None and time.monotonic() - last > args.idle_timeout:
                return
            for msg in messages:
                if msg.error() is not None:
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    raise KafkaException(msg.error())
                if msg.value() is None:
                    continue
                try:
                    delta = codec.decode(msg.value())
                except wire.WireFormatError as e:
                    err.write(
                        "deltatok tail: cannot decode the record at %s-%d@%d: %s\n"
                        % (msg.topic(), msg.partition(), msg.offset(), e)
                    )
                    raise SystemExit(1)
                yield delta
    finally:
        consumer.close()


def _apply(mirror: Mirror, delta: TokenDelta, err) -> Optional[Camera]:
    try:
        return mirror.apply(delta)
    except MirrorSyncError as e:
        if e.problem != Problem.NOT_SYNCED:
            err.write("deltatok tail: %s\n" % e)
            err.flush()
        return None


def run_tail(args, out, err) -> int:
    try:
        return print_records(_records(args, err), args, out, err)
    except KeyboardInterrupt:
        out.flush()
        return 0


def print_records(deltas: Iterable[TokenDelta], args, out, err) -> int:
    """Prints ``deltas`` as ``tail`` does: ``args`` carries ``format``, ``camera``,
    ``max_records``, ``window`` and ``codebook_size``; ``out`` takes bytes."""
    mirror = Mirror()
    windower = LlmWindower(args.window, args.codebook_size)
    vocabularies: Dict[str, LlmVocabulary] = {}
    printed = 0
    try:
        for delta in deltas:
            if args.camera is not None and args.camera != delta.camera_id:
                continue
            held = _apply(mirror, delta, err)
            line = None
            if args.format == "jsonl":
                try:
                    line = javajson.dumps(delta_json_tree(delta))
                except ValueError as e:
                    err.write("deltatok tail: camera '%s' delta %d: %s\n"
                              % (delta.camera_id, delta.delta_seq, e))
                    return 1
            else:
                if held is None:
                    windower.reset(delta.camera_id)
                    continue
                record = windower.add(delta, held)
                if record is not None:
                    v = vocabularies.get(held.camera_id)
                    if v is None:
                        v = vocabularies[held.camera_id] = windower.vocabulary(held)
                    line = javajson.dumps(record.to_json_tree(v))
            if line is not None:
                out.write((line + "\n").encode("utf-8"))
                out.flush()
                printed += 1
            if args.max_records and printed >= args.max_records:
                break
    finally:
        out.flush()
    return 0


def run_mirror(args, out, err) -> int:
    mirror = Mirror()
    applied = 0
    try:
        for delta in _records(args, err):
            if args.camera is not None and args.camera != delta.camera_id:
                continue
            _apply(mirror, delta, err)
            applied += 1
            if args.max_records and applied >= args.max_records:
                break
    except KeyboardInterrupt:
        pass
    for cid in sorted(mirror.camera_ids()):
        out.write((javajson.dumps(mirror_json_tree(mirror.camera(cid))) + "\n").encode("utf-8"))
    out.flush()
    return 0


def run_fingerprints(args, out, err) -> int:
    """Per record type and schema version: name, version, Java's signed fingerprint, the form."""
    for name in wire.RECORD_NAMES:
        versions: List = [("current", wire.schema_text(name))]
        for i, text in enumerate(wire.released_schemas(name), start=1):
            versions.append(("v%d" % i, text))
        for version, text in versions:
            out.write(
                (
                    "%s %s %d %s\n"
                    % (name, version, canonical.fingerprint_signed(text),
                       canonical.parsing_canonical_form(text))
                ).encode("utf-8")
            )
    out.flush()
    return 0


def _reader_options(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--bootstrap-servers", required=True, help="Kafka bootstrap servers, host:port.")
    p.add_argument("--topic", default="deltatok.deltas", help="Deltas topic (default: %(default)s).")
    p.add_argument("--camera", metavar="ID", help="Only this camera (others are read and skipped).")
    p.add_argument("--max-records", type=int, default=0, metavar="N",
                   help="Stop after N %s; 0 = until Ctrl-C." % what)
    p.add_argument("--from-beginning", action="store_true",
                   help="Read the topic from its earliest offsets instead of its end.")
    p.add_argument("--idle-timeout", metavar="DURATION",
                   help="Stop when nothing arrived for this long, e.g. 10s (default: never).")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog=PROG, description="deltatok's Python consumer.")
    sub = top.add_subparsers(dest="command", required=True)
    t = sub.add_parser(
        "tail",
        help="Print deltas (jsonl) or LLM window records (llm) as ./deltatok tail does.",
        description="Reads token deltas (read_committed) into per-camera mirrors and prints "
        "each delta as one JSON line (jsonl) or one JSON line per camera window (llm; see "
        "docs/llm-format.md), exactly as ./deltatok tail does.",
    )
    _reader_options(t, "printed records (deltas; llm: windows)")
    t.add_argument("--format", choices=["jsonl", "llm"], default="jsonl",
                   help="jsonl or llm (default: %(default)s).")
    t.add_argument("--window", type=int, default=25, metavar="FRAMES",
                   help="llm: frames per camera window (default: %(default)s).")
    t.add_argument("--codebook-size", type=int, default=4096, metavar="K",
                   help="llm: codes per level of the model the job runs (default: %(default)s).")
    m = sub.add_parser(
        "mirror",
        help="Apply deltas to mirrors, then print each camera's state as one JSON line.",
    )
    _reader_options(m, "deltas read")
    sub.add_parser("fingerprints",
                   help="Print each shipped schema's CRC-64-AVRO fingerprint and canonical form.")
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    out = sys.stdout.buffer
    err = sys.stderr
    if args.command == "fingerprints":
        return run_fingerprints(args, out, err)
    if args.max_records < 0:
        err.write("deltatok %s: --max-records must be >= 0\n" % args.command)
        return 2
    if args.idle_timeout is not None:
        try:
            args.idle_timeout = parse_duration(args.idle_timeout)
        except ValueError:
            err.write("deltatok %s: --idle-timeout must look like 10s, 2m or 1h30m, got '%s'\n"
                      % (args.command, args.idle_timeout))
            return 2
    if args.command == "mirror":
        return run_mirror(args, out, err)
    if args.window < 1 or args.codebook_size < 1:
        err.write("deltatok tail: --window and --codebook-size must be >= 1, --max-records >= 0\n")
        return 2
    return run_tail(args, out, err)
