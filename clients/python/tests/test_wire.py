import pytest

from deltatok import keymap, wire
from deltatok.wire import FrameStats, Problem, SlotUpsert, TokenDelta, TokenDeltaCodec, WireCodec


def delta(**overrides):
    fields = dict(
        camera_id="cam-é", delta_seq=3, frame_seq=7,
        capture_time_micros=1_764_750_000_123_456, emit_time_micros=1_764_750_000_200_000,
        kind="DELTA", model_id="m@1", grid_rows=2, grid_cols=2, levels=2,
        upserts=[SlotUpsert(4, [1, 2], b"\x00\x00\x80\x3f"), SlotUpsert(5, [9], None)],
        evictions=[1], key_map=keymap.encode([0, 3], [4, 5]),
        stats=FrameStats(3, 2, 2, 5, 4, 0.125, "NONE"),
    )
    fields.update(overrides)
    return TokenDelta(**fields)


def test_a_delta_round_trips():
    codec = TokenDeltaCodec()
    d = delta()
    data = codec.encode(d)
    assert data[:2] == b"\xc3\x01"
    assert int.from_bytes(data[2:10], "little") == codec.codec.fingerprint
    assert codec.decode(data) == d


def test_a_value_written_with_the_first_released_schema_reads_with_an_unknown_reason():
    v1 = WireCodec("TokenDelta", wire.schema_text("TokenDelta", version=1))
    record = delta().to_avro()
    for name in ("keyframeReason", "skippedFrames", "budgetScale"):
        del record["stats"][name]
    for name in MOTION_FIELDS:
        del record[name]
    data = v1.encode(record)
    current = TokenDeltaCodec()
    assert v1.fingerprint != current.codec.fingerprint
    decoded = current.decode(data)
    assert decoded.stats.keyframe_reason == "UNKNOWN"
    assert decoded.key_map == delta().key_map


def test_a_value_written_with_the_second_released_schema_reads_as_nothing_skipped_at_full_budget():
    v2 = WireCodec("TokenDelta", wire.schema_text("TokenDelta", version=2))
    record = delta(stats=FrameStats(3, 2, 2, 5, 4, 0.125, "SCENE_CUT", 7, 0.25)).to_avro()
    del record["stats"]["skippedFrames"]
    del record["stats"]["budgetScale"]
    for name in MOTION_FIELDS:
        del record[name]
    current = TokenDeltaCodec()
    assert v2.fingerprint != current.codec.fingerprint
    decoded = current.decode(v2.encode(record))
    assert decoded.stats == FrameStats(3, 2, 2, 5, 4, 0.125, "SCENE_CUT", 0, 1.0)


MOTION_FIELDS = ("shiftRows", "shiftCols", "offsetX", "offsetY")


def test_a_moved_delta_round_trips_with_its_motion():
    codec = TokenDeltaCodec()
    d = delta(kind="MOVED", shift_rows=0, shift_cols=-1, offset_x=6, offset_y=-2)
    decoded = codec.decode(codec.encode(d))
    assert decoded == d and decoded.moved
    assert (decoded.shift_cols, decoded.offset_x, decoded.offset_y) == (-1, 6, -2)


def test_a_delta_of_a_release_before_motion_reads_as_no_motion():
    v2 = WireCodec("TokenDelta", wire.schema_text("TokenDelta", version=2))
    record = delta().to_avro()
    for name in ("skippedFrames", "budgetScale"):
        del record["stats"][name]
    for name in MOTION_FIELDS:
        del record[name]
    decoded = TokenDeltaCodec().decode(v2.encode(record))
    assert not decoded.moved
    assert (decoded.shift_rows, decoded.shift_cols, decoded.offset_x, decoded.offset_y) == (0,) * 4


@pytest.mark.parametrize("version", [1, 2])
def test_a_reader_older_than_motion_refuses_a_moved_delta_and_reads_the_rest(version):
    old = WireCodec("TokenDelta", wire.schema_text("TokenDelta", version=version))
    old.add_writer_schema(wire.schema_text("TokenDelta"))
    codec = TokenDeltaCodec()
    assert old.decode(codec.encode(delta()))["kind"] == "DELTA"
    with pytest.raises(wire.WireFormatError) as e:
        old.decode(codec.encode(delta(kind="MOVED", shift_cols=-1, offset_x=6)))
    assert e.value.problem == Problem.CORRUPT
    assert "MOVED" in str(e.value)


def test_the_overload_stats_round_trip():
    codec = TokenDeltaCodec()
    d = delta(stats=FrameStats(3, 2, 2, 5, 4, 0.125, "NONE", 7, 0.25))
    assert codec.decode(codec.encode(d)).stats == d.stats


def test_the_reader_knows_the_current_and_every_released_fingerprint():
    codec = WireCodec("TokenDelta")
    assert len(codec.known_fingerprints()) == 1 + sum(
        1 for text in wire.released_schemas("TokenDelta")
        if wire.canonical.fingerprint(text) != codec.fingerprint)
    assert len(codec.known_fingerprints()) >= 2


@pytest.mark.parametrize(
    "data, problem, words",
    [
        (b"", Problem.EMPTY, "empty payload"),
        (b"{}", Problem.BAD_MARKER, "bad marker 7B 7D"),
        (b"\xc3\x01\x00", Problem.TRUNCATED, "truncated header"),
        (b"\xc3\x01" + bytes(8) + b"\x00", Problem.UNKNOWN_FINGERPRINT,
         "unknown schema fingerprint 00 00 00 00 00 00 00 00"),
    ],
)
def test_bad_payloads_are_named(data, problem, words):
    with pytest.raises(wire.WireFormatError, match=words) as e:
        TokenDeltaCodec().decode(data)
    assert e.value.problem == problem


def test_a_truncated_body_is_truncated():
    data = TokenDeltaCodec().encode(delta())
    with pytest.raises(wire.WireFormatError) as e:
        TokenDeltaCodec().decode(data[:-3])
    assert e.value.problem == Problem.TRUNCATED


def test_a_frame_round_trips_with_its_timestamp_as_microseconds():
    import json
    codec = WireCodec("Frame")
    fmt = json.loads(codec.schema_json)["fields"][5]["type"]["symbols"][0]
    frame = {"cameraId": "c", "seq": 1, "captureTime": -5, "width": 2, "height": 1,
             "format": fmt, "data": b"\x01\x02", "attributes": {"k": "v"}}
    assert codec.decode(codec.encode(frame)) == frame
