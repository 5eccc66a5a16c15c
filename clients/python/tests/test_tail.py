import argparse
import io

import pytest

from deltas import keyframe, step
from deltatok.tail import parse_duration, print_records

TABLE = {0: (10,), 1: (11, 12)}


def tail(deltas, **options):
    args = argparse.Namespace(format="jsonl", camera=None, max_records=0, window=2,
                              codebook_size=100)
    vars(args).update(options)
    out, err = io.BytesIO(), io.StringIO()
    code = print_records(deltas, args, out, err)
    return code, out.getvalue().decode("utf-8"), err.getvalue()


def test_jsonl_prints_each_delta_as_java_does():
    code, out, _ = tail([keyframe(0, [0, 0, 1, 0], TABLE, camera="caméra")])
    assert code == 0
    assert out == (
        '{"camera":"caméra","deltaSeq":0,"frameSeq":0,"captureTime":"1970-01-01T00:00:00Z",'
        '"emitTime":"1970-01-01T00:00:00.000007Z","kind":"KEYFRAME","model":"testing@1",'
        '"grid":[2,2],"levels":2,"upserts":[{"slot":0,"tokens":[10]},{"slot":1,"tokens":[11,12]}],'
        '"evictions":[],"keyMap":[[0,0],[1,0],[2,1],[3,0]],"stats":{"changedPatches":4,'
        '"encodedPatches":4,"sentPatches":4,"tokens":0,"tableSize":2,"estimatedError":0.01,'
        '"keyframeReason":"FIRST_FRAME","skippedFrames":0,"budgetScale":1.0}}\n'
    )


def test_jsonl_prints_the_overload_stats():
    from dataclasses import replace
    d = keyframe(0, [0, 0, 1, 0], TABLE)
    d = replace(d, stats=replace(d.stats, skipped_frames=3, budget_scale=0.25))
    _, out, _ = tail([d])
    assert out.endswith('"keyframeReason":"FIRST_FRAME","skippedFrames":3,"budgetScale":0.25}}\n')


def test_jsonl_filters_a_camera_and_stops_after_max_records():
    deltas = [keyframe(0, [0] * 4, TABLE, camera="a"), keyframe(0, [0] * 4, TABLE, camera="b"),
              step(1, camera="b"), step(2, camera="b")]
    _, out, _ = tail(deltas, camera="b", max_records=2)
    assert [line.split(",")[0] for line in out.splitlines()] == ['{"camera":"b"'] * 2
    assert '"deltaSeq":1' in out.splitlines()[1]


def test_llm_drops_a_window_at_a_gap_reports_it_and_restarts_at_the_next_keyframe():
    deltas = [keyframe(0, [0] * 4, TABLE), step(1), step(2), step(4),
              step(5), keyframe(6, [1] * 4, TABLE, reason="MAX_INTERVAL"), step(7)]
    code, out, err = tail(deltas, format="llm")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert '"frames":[0,1]' in lines[0] and '"frames":[6,7]' in lines[1]
    assert "expected delta 3 but got 4" in err
    assert "delta 5" not in err  # waiting for a keyframe is not reported


def test_a_bad_key_map_stops_jsonl_with_a_message():
    bad = step(1)
    bad = type(bad)(**{**bad.__dict__, "key_map": bytes([1, 9, 0])})
    code, _, err = tail([bad])
    assert code == 1 and "outside the grid of 4" in err


@pytest.mark.parametrize("text, seconds", [("10s", 10), ("2m", 120), ("1h30m", 5400),
                                           ("0.5s", 0.5)])
def test_durations_read_as_javas_duration_parse(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "500ms", "s"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)
