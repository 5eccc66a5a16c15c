import pytest

from deltas import keyframe, moved, step
from deltatok import javajson
from deltatok.llm import LlmVocabulary, LlmWindower, WindowSummary, camera_index
from deltatok.mirror import Mirror

TABLE = {0: (10,), 1: (11, 12)}
K = 100


def records(deltas, window=3):
    m = Mirror()
    w = LlmWindower(window, K)
    out = []
    for d in deltas:
        r = w.add(d, m.apply(d))
        if r is not None:
            out.append(r)
    return out, w, m


def test_the_default_models_vocabulary_has_the_documented_layout():
    v = LlmVocabulary(4, 4096, 16, 16)
    assert (v.window, v.window_end, v.frame, v.keyframe, v.snapshot, v.scene_cut) == (
        16384, 16385, 16386, 16387, 16388, 16389)
    assert v.position(0) == 16392 and v.position(255) == 16647
    assert v.camera("cam-0") == 16648 + 25
    assert v.summary(0) == 16904 and v.size == 17160
    assert v.name(v.visual(2, 517)) == "v2:517"
    assert [v.name(t) for t in (16390, 16391, 16392 + 37, 16648, 17159)] == [
        "<|shift|>", "<|reserved_7|>", "<|pos_37|>", "<|cam_0|>", "<|sum_255|>"]
    assert v.shift == 16390 and v.shift_target(0, -1) == 8 * 16 + 7


def test_camera_tokens_hash_the_utf8_id():
    assert camera_index("cam-0") == 25  # docs/llm-format.md's worked example
    assert 0 <= camera_index("caméra") < 256


def test_a_window_lists_the_full_grid_first_then_only_changed_positions():
    (r,), _, _ = records([
        keyframe(0, [0, 0, 1, 0], TABLE),
        step(1, updates={3: 1}),
        step(2, upserts={0: [13]}),  # slot 0 is shared by positions 0 and 1
    ])
    v = LlmVocabulary(2, K, 2, 2)
    cam = v.camera("cam")
    assert r.tokens == [
        200, cam,
        202, 203, 208, 10, 209, 10, 210, 11, 112, 211, 10,
        202, 211, 11, 112,
        202, 208, 13, 209, 13,
        468 + 175, 201,
    ]
    # 3 changes over 2 frames x 4 positions; quadrants TL, TR, BR; rising (1 then 2)
    assert r.summary == WindowSummary(3, 0b1011, False, True, 0.375)
    assert r.summary.value == 175 and r.summary_token == 643
    assert (r.first_frame_seq, r.last_frame_seq, r.frames) == (0, 2, 3)
    assert r.table == {0: (13,), 1: (11, 12)} and r.key_map == [0, 0, 1, 1]


def test_a_window_that_starts_on_a_delta_opens_with_a_snapshot():
    recs, _, _ = records([keyframe(0, [0, 0, 1, 0], TABLE), step(1), step(2)], window=2)
    assert recs[0].tokens[:4] == [200, LlmVocabulary(2, K, 2, 2).camera("cam"), 202, 203]
    second = recs[1] if len(recs) > 1 else None
    assert second is None  # only 3 frames: one full window of 2, one open
    recs, w, m = records([keyframe(0, [0, 0, 1, 0], TABLE), step(1), step(2), step(3)], window=2)
    assert recs[1].tokens[2:4] == [202, 204]
    assert recs[1].tokens[4:6] == [208, 10]  # every position after the snapshot token


def test_a_scene_cut_inside_a_window_rebases_it():
    (r,), _, _ = records([
        keyframe(0, [0, 0, 0, 0], TABLE),
        step(1),
        keyframe(2, [1, 1, 1, 1], TABLE, reason="SCENE_CUT"),
    ])
    last_frame = len(r.tokens) - 1 - r.tokens[::-1].index(202)
    assert r.tokens[last_frame:last_frame + 5] == [202, 203, 205, 208, 11]
    assert r.summary.rebased and r.summary.value & 64


def test_a_sequence_replays_to_the_table_and_key_map_it_carries():
    (r,), _, _ = records([
        keyframe(0, [0, 1, 1, 0], TABLE),
        step(1, updates={2: 4}, upserts={4: [40, 41]}),
        step(2, updates={0: 4}, upserts={1: [50]}),
    ])
    v = LlmVocabulary(2, K, 2, 2)
    grid = {}
    current = None
    for t in r.tokens:
        if v.position(0) <= t < v.position(0) + 4:
            current = t - v.position(0)
            grid[current] = []
        elif t < v.visual_size and current is not None:
            grid[current].append(t % K)
        elif t >= v.visual_size:
            current = None
    assert [tuple(grid[p]) for p in range(4)] == [r.table[s] for s in r.key_map]


def test_a_moved_delta_says_shift_and_lists_only_what_differs_after_the_move():
    (r,), _, m = records([
        keyframe(0, [0, 1, 1, 0], TABLE),
        moved(1, shift=(0, -1), offset=(6, 0)),
        step(2, kind="MOVED", offset=(4, 0)),
    ])
    v = LlmVocabulary(2, K, 2, 2)
    frames = " ".join(v.name(t) for t in r.tokens).split("<|frame|>")
    # Left column takes the right one's; the right column repeats the edge: nothing else changes.
    assert frames[2].split() == ["<|shift|>", "<|pos_%d|>" % v.shift_target(0, -1)]
    assert v.shift_target(0, -1) == 2
    assert frames[3].split() == ["<|sum_0|>", "<|/window|>"]
    assert m.camera("cam").key_map == [1, 1, 0, 0]


def test_a_gap_drops_the_open_window_when_the_caller_resets_it():
    m = Mirror()
    w = LlmWindower(2, K)
    w.add(keyframe(0, [0, 0, 0, 0], TABLE), m.apply(keyframe(0, [0, 0, 0, 0], TABLE)))
    w.reset("cam")
    r = w.add(step(1), m.apply(step(1)))
    assert r is None
    assert w.flush({"cam": m.camera("cam")})[0].frames == 1


def test_the_json_record_is_what_java_prints():
    (r,), w, m = records([keyframe(0, [0, 0, 1, 0], TABLE), step(1, updates={3: 1})], window=2)
    line = javajson.dumps(r.to_json_tree(w.vocabulary(m.camera("cam"))))
    assert line == (
        '{"camera":"cam","model":"testing@1","frames":[0,1],"frameCount":2,'
        '"vocabularySize":724,"tokenCount":%d,"tokens":[%s],'
        '"summary":{"token":%d,"value":%d,"activity":3,"quadrants":8,"rebased":false,'
        '"rising":false,"changedFraction":0.25},"table":{"0":[10],"1":[11,12]},'
        '"keyMap":[0,0,1,1]}'
    ) % (len(r.tokens), ",".join(map(str, r.tokens)), r.summary_token, r.summary.value)
    assert r.summary.value == 3 | 8 << 2


@pytest.mark.parametrize("window, k", [(0, 1), (1, 0)])
def test_bad_windower_settings_are_refused(window, k):
    with pytest.raises(ValueError):
        LlmWindower(window, k)
