"""Intention-revealing factories of TokenDeltas for a 2x2 grid with two levels."""

import struct

from deltatok import keymap
from deltatok.wire import FrameStats, SlotUpsert, TokenDelta

MODEL = "testing@1"


def latent(*values):
    return struct.pack("<%df" % len(values), *values)


def keyframe(seq, slots, table, camera="cam", reason="FIRST_FRAME", frame_seq=None, rows=2,
             cols=2, latents=None):
    """A KEYFRAME: ``slots`` per position, ``table`` slot -> token ids."""
    latents = latents or {}
    return TokenDelta(
        camera_id=camera, delta_seq=seq, frame_seq=seq if frame_seq is None else frame_seq,
        capture_time_micros=seq * 40_000, emit_time_micros=seq * 40_000 + 7, kind="KEYFRAME",
        model_id=MODEL, grid_rows=rows, grid_cols=cols, levels=2,
        upserts=[SlotUpsert(s, list(ids), latents.get(s)) for s, ids in sorted(table.items())],
        evictions=[], key_map=keymap.encode(list(range(len(slots))), slots),
        stats=FrameStats(len(slots), len(slots), len(slots), 0, len(table), 0.01, reason),
    )


def step(seq, updates=None, upserts=None, evictions=(), camera="cam", latents=None, rows=2,
         cols=2, model=MODEL, shift=(0, 0), offset=(0, 0), kind=None):
    """A DELTA: ``updates`` position -> slot, ``upserts`` slot -> token ids."""
    updates = updates or {}
    upserts = upserts or {}
    latents = latents or {}
    positions = sorted(updates)
    return TokenDelta(
        camera_id=camera, delta_seq=seq, frame_seq=seq, capture_time_micros=seq * 40_000,
        emit_time_micros=seq * 40_000 + 7,
        kind=kind or ("MOVED" if shift != (0, 0) or offset != (0, 0) else "DELTA"),
        model_id=model, grid_rows=rows,
        grid_cols=cols, levels=2,
        upserts=[SlotUpsert(s, list(ids), latents.get(s)) for s, ids in sorted(upserts.items())],
        evictions=list(evictions),
        key_map=keymap.encode(positions, [updates[p] for p in positions]),
        stats=FrameStats(len(updates), len(updates), len(updates), 0, 0, 0.001, "NONE"),
        shift_rows=shift[0], shift_cols=shift[1], offset_x=offset[0], offset_y=offset[1],
    )


def moved(seq, shift=(0, 0), offset=(0, 0), **kw):
    """A MOVED delta: the key map shifts by ``shift`` (rows, cols), shown at ``offset`` (x, y)."""
    return step(seq, shift=shift, offset=offset, **kw)
