import numpy as np
import pytest

from deltas import keyframe, latent, moved, step
from deltatok.mirror import Mirror, MirrorSyncError, Problem, show

TABLE = {0: (10,), 1: (11, 12)}


def synced_mirror():
    m = Mirror()
    m.apply(keyframe(0, [0, 0, 1, 0], TABLE))
    return m


def problem_of(m, delta):
    with pytest.raises(MirrorSyncError) as e:
        m.apply(delta)
    return e.value


def test_a_keyframe_then_deltas_hold_the_tokenizers_picture():
    m = synced_mirror()
    cam = m.apply(step(1, updates={3: 2}, upserts={2: [20, 21]}))
    cam = m.apply(step(2, updates={0: 1, 3: 1}, upserts={1: [13]}, evictions=[2]))
    assert cam.key_map == [1, 0, 1, 1]
    assert cam.table == {0: (10,), 1: (13,)}
    assert cam.token_grid() == [(13,), (10,), (13,), (13,)]
    assert (cam.synced, cam.last_applied_seq, cam.last_frame_seq) == (True, 2, 2)


def test_a_duplicate_is_refused_without_losing_sync():
    m = synced_mirror()
    m.apply(step(1))
    e = problem_of(m, step(1))
    assert (e.problem, e.expected_seq, e.actual_seq) == (Problem.DUPLICATE, 2, 1)
    assert "duplicate delta 1 (already applied)" in str(e)
    assert m.apply(step(2)).synced


def test_an_older_delta_is_reordered():
    m = synced_mirror()
    m.apply(step(1))
    m.apply(step(2))
    assert problem_of(m, step(1)).problem == Problem.REORDERED
    assert m.camera("cam").synced


def test_a_delta_before_any_keyframe_waits_for_one():
    e = problem_of(Mirror(), step(4))
    assert (e.problem, e.expected_seq) == (Problem.NOT_SYNCED, -1)


def test_a_gap_waits_for_the_next_keyframe_and_counts_what_it_skipped():
    m = synced_mirror()
    e = problem_of(m, step(3))
    assert (e.problem, e.expected_seq, e.actual_seq) == (Problem.GAP, 1, 3)
    assert "expected delta 1 but got 3; 2 missing" in str(e)
    assert not m.camera("cam").synced
    assert problem_of(m, step(4)).problem == Problem.NOT_SYNCED
    cam = m.apply(keyframe(6, [1, 1, 1, 1], TABLE, reason="ERROR_BOUND"))
    assert cam.synced and cam.key_map == [1, 1, 1, 1]
    assert cam.skipped_deltas == 2  # 4 and 5, superseded by the keyframe


def test_contents_that_do_not_fit_are_corrupt_and_wait_for_a_keyframe():
    m = synced_mirror()
    e = problem_of(m, step(1, updates={2: 9}))
    assert e.problem == Problem.CORRUPT
    assert "position 2 refers to slot 9 that is not held" in str(e)
    assert m.camera("cam").key_map == [0, 0, 1, 0]  # nothing applied
    assert problem_of(m, step(2)).problem == Problem.NOT_SYNCED
    assert "unknown slot 7" in str(problem_of(m, keyframe(3, [7, 0, 0, 0], TABLE)))


@pytest.mark.parametrize(
    "bad",
    [
        step(1, evictions=[5]),
        step(1, rows=1, cols=4),
        step(1, model="other@2"),
        step(1, upserts={3: [1, 2, 3]}),
    ],
)
def test_shape_model_and_table_mismatches_are_corrupt(bad):
    assert problem_of(synced_mirror(), bad).problem == Problem.CORRUPT


def test_a_keyframe_must_list_every_position():
    d = keyframe(0, [0, 0, 0], TABLE)
    assert "keyframe lists 3 of 4 positions" in str(problem_of(Mirror(), d))


def test_cameras_are_independent():
    m = Mirror()
    m.apply(keyframe(0, [0, 0, 0, 0], TABLE, camera="a"))
    assert problem_of(m, step(1, camera="b")).problem == Problem.NOT_SYNCED
    assert m.apply(step(1, camera="a")).synced
    assert sorted(m.camera_ids()) == ["a", "b"]


def test_the_token_dynamics_pair_is_a_table_and_an_index_map():
    m = synced_mirror()
    cam = m.apply(step(1, updates={1: 5}, upserts={5: [30, 31]}))
    td = cam.token_dynamics()
    assert td.slots.tolist() == [0, 1, 5]
    assert td.tokens.tolist() == [[10, -1], [11, 12], [30, 31]]
    assert td.levels_used.tolist() == [1, 2, 2]
    assert td.key_map_slots.tolist() == [[0, 5], [1, 0]]
    assert td.key_map.tolist() == [[0, 2], [1, 0]]
    assert td.tokens.dtype == np.int32


def test_embeddings_gather_each_positions_slot_latent():
    m = Mirror()
    lat = {0: latent(1, 2, 3), 1: latent(4, 5, 6)}
    m.apply(keyframe(0, [0, 1, 1, 0], TABLE, latents=lat))
    cam = m.apply(step(1, updates={0: 1}, upserts={0: [14]}, latents={0: latent(7, 8, 9)}))
    emb = cam.embeddings()
    assert emb.shape == (2, 2, 3) and emb.dtype == np.float32
    assert emb.tolist() == [[[4, 5, 6], [4, 5, 6]], [[4, 5, 6], [7, 8, 9]]]
    np.testing.assert_array_equal(cam.latent(0), [7, 8, 9])


def test_embeddings_need_a_latent_in_every_slot():
    m = synced_mirror()
    cam = m.camera("cam")
    assert not cam.has_latents()
    with pytest.raises(ValueError, match="slot 0 carries no latent"):
        cam.embeddings()


def test_an_upsert_without_a_latent_drops_the_old_one():
    m = Mirror()
    m.apply(keyframe(0, [0, 1, 1, 0], TABLE, latents={0: latent(1), 1: latent(2)}))
    cam = m.apply(step(1, upserts={1: [15]}))
    assert cam.latent(1) is None and not cam.has_latents()


def test_a_moved_delta_shifts_the_key_map_before_its_updates_and_sets_the_offset():
    m = Mirror()
    m.apply(keyframe(0, [0, 1, 1, 0], TABLE))
    # Content moves one column left: (r, c) takes (r, c + 1); the right column repeats the edge.
    cam = m.apply(moved(1, shift=(0, -1), offset=(6, -3), updates={3: 2}, upserts={2: [20]}))
    assert cam.key_map == [1, 1, 0, 2]
    assert (cam.offset_x, cam.offset_y) == (6, -3)
    cam = m.apply(moved(2, offset=(4, -3)))
    assert cam.key_map == [1, 1, 0, 2] and cam.offset_x == 4
    cam = m.apply(keyframe(3, [0, 0, 0, 0], TABLE, reason="MAX_INTERVAL"))
    assert (cam.offset_x, cam.offset_y) == (0, 0)


def test_a_shift_down_repeats_the_top_row():
    m = Mirror()
    m.apply(keyframe(0, [0, 1, 1, 0], TABLE))
    assert m.apply(moved(1, shift=(1, 0))).key_map == [0, 1, 0, 1]


@pytest.mark.parametrize(
    "bad",
    [
        step(1, shift=(0, 1), kind="DELTA"),
        step(1, offset=(3, 0), kind="DELTA"),
        moved(1, shift=(0, 2)),
        moved(1, offset=(5000, 0)),
    ],
)
def test_motion_outside_a_moved_delta_or_beyond_the_grid_is_corrupt(bad):
    m = synced_mirror()
    assert problem_of(m, bad).problem == Problem.CORRUPT
    assert m.camera("cam").key_map == [0, 0, 1, 0]


def test_a_keyframe_with_motion_is_corrupt():
    d = keyframe(0, [0, 0, 0, 0], TABLE)
    from dataclasses import replace

    assert problem_of(Mirror(), replace(d, offset_x=2)).problem == Problem.CORRUPT


def test_show_moves_a_decoded_picture_by_the_offset_clamping_at_the_edges():
    pic = np.arange(12).reshape(3, 4, 1)
    out = show(pic, 1, -1)
    assert out[:, :, 0].tolist() == [[4, 4, 5, 6], [8, 8, 9, 10], [8, 8, 9, 10]]
