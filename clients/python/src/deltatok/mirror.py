"""The consumer side of the delta stream, as ``dev.deltatok.mirror.TokenMirror`` in Java: per
camera, applies deltas in ``deltaSeq`` order and holds exactly the token table and key map the
tokenizer believes the consumer holds, plus the slots' latents when deltas carry them.

A gap, a duplicate or a reordering is refused with a :class:`MirrorSyncError`; after a gap, or
a delta whose contents do not fit, the camera resynchronises at its next KEYFRAME. Not
thread-safe.
"""

import enum
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import keymap
from .wire import TokenDelta


class Problem(enum.Enum):
    GAP = "GAP"
    """deltaSeq skipped ahead: at least one delta was lost."""
    DUPLICATE = "DUPLICATE"
    """deltaSeq equal to the last applied one."""
    REORDERED = "REORDERED"
    """deltaSeq below the last applied one (out of order)."""
    NOT_SYNCED = "NOT_SYNCED"
    """A DELTA while no keyframe has been applied since the start or the last gap."""
    CORRUPT = "CORRUPT"
    """Contents that contradict what is held (unknown slot, bad key map, other shape)."""


class MirrorSyncError(Exception):
    """A delta the mirror cannot apply (``MirrorSyncException`` in Java)."""

    def __init__(self, problem: Problem, camera_id: str, expected_seq: int, actual_seq: int,
                 message: str):
        super().__init__(message)
        self.problem = problem
        self.camera_id = camera_id
        self.expected_seq = expected_seq
        """The deltaSeq the mirror expected next, -1 when it waits for a keyframe."""
        self.actual_seq = actual_seq


@dataclass(frozen=True)
class TokenDynamics:
    """The Token-Dynamics pair: the table of distinct tokens and the key map into it.

    ``slots[i]`` is the slot id of table row ``i`` (ascending); ``tokens[i, :levels_used[i]]``
    its codebook ids, coarse level first, padded with -1; ``key_map[r, c]`` the table row at
    grid position ``(r, c)`` and ``key_map_slots[r, c]`` its slot id.
    """

    slots: np.ndarray  # int32 [S]
    tokens: np.ndarray  # int32 [S, L]
    levels_used: np.ndarray  # int32 [S]
    key_map: np.ndarray  # int32 [rows, cols], row index into tokens
    key_map_slots: np.ndarray  # int32 [rows, cols], slot ids


class Camera:
    """What is held for one camera."""

    def __init__(self, camera_id: str):
        self.camera_id = camera_id
        self._table: Dict[int, Tuple[int, ...]] = {}
        self._latents: Dict[int, Optional[bytes]] = {}
        self._key_map: List[int] = []
        self.grid_rows = 0
        self.grid_cols = 0
        self.levels = 0
        self.model_id: Optional[str] = None
        self.last_applied_seq = -1
        """deltaSeq of the last applied delta, -1 before any."""
        self.synced = False
        """Whether a keyframe was applied and no gap seen since."""
        self.last_frame_seq = -1
        self.skipped_deltas = 0
        """Deltas never applied because a later KEYFRAME superseded them (harmless)."""
        self.offset_x = 0
        """Global motion: the decoded grid is shown ``offset_x`` pixels to the right (negative:
        left), ``offset_y`` down; displayed pixel ``(x, y)`` is the grid's ``(x - offset_x,
        y - offset_y)`` clamped to the grid. Set by MOVED deltas, 0 after a KEYFRAME or DELTA."""
        self.offset_y = 0

    @property
    def key_map(self) -> List[int]:
        """Slot per grid position, row-major (a copy)."""
        return list(self._key_map)

    @property
    def table(self) -> Dict[int, Tuple[int, ...]]:
        """Live slots and their token ids, ascending by slot (a copy)."""
        return {s: self._table[s] for s in sorted(self._table)}

    def latent(self, slot: int) -> Optional[np.ndarray]:
        """The slot's latent (float32), or None when its upsert carried none."""
        raw = self._latents.get(slot)
        return None if raw is None else np.frombuffer(raw, dtype="<f4").astype(np.float32)

    def token_grid(self) -> List[Tuple[int, ...]]:
        """Token ids per position (1 to ``levels`` of them, coarse first)."""
        return [self._table[s] for s in self._key_map]

    def token_dynamics(self) -> TokenDynamics:
        slots = sorted(self._table)
        row_of = {s: i for i, s in enumerate(slots)}
        tokens = np.full((len(slots), self.levels), -1, dtype=np.int32)
        used = np.zeros(len(slots), dtype=np.int32)
        for i, s in enumerate(slots):
            ids = self._table[s]
            tokens[i, : len(ids)] = ids
            used[i] = len(ids)
        km_slots = np.array(self._key_map, dtype=np.int32).reshape(self.grid_rows, self.grid_cols)
        km = np.array([row_of[s] for s in self._key_map], dtype=np.int32).reshape(
            self.grid_rows, self.grid_cols
        )
        return TokenDynamics(np.array(slots, dtype=np.int32), tokens, used, km, km_slots)

    def has_latents(self) -> bool:
        """Whether every live slot carries a latent (deltas written with include-latents)."""
        return bool(self._table) and all(self._latents.get(s) is not None for s in self._table)

    def embeddings(self) -> np.ndarray:
        """The frame as an embedding array ``[rows, cols, D]`` (float32): each position gets the
        latent of the slot the key map points at.

        :raises ValueError: if a live slot carries no latent or latents differ in length
        """
        if not self.synced:
            raise ValueError("camera '%s' holds no synced picture" % self.camera_id)
        table: Dict[int, np.ndarray] = {}
        dim = None
        for s in self._table:
            raw = self._latents.get(s)
            if raw is None:
                raise ValueError(
                    "camera '%s': slot %d carries no latent (run the job with "
                    "tokenizer.include-latents)" % (self.camera_id, s)
                )
            v = np.frombuffer(raw, dtype="<f4")
            if dim is None:
                dim = v.shape[0]
            elif v.shape[0] != dim:
                raise ValueError(
                    "camera '%s': slot %d has a %d-float latent, others %d"
                    % (self.camera_id, s, v.shape[0], dim)
                )
            table[s] = v
        out = np.stack([table[s] for s in self._key_map]).astype(np.float32)
        return out.reshape(self.grid_rows, self.grid_cols, dim)


class Mirror:
    """Per-camera mirrors of the delta stream (``TokenMirror`` in Java)."""

    def __init__(self):
        self._cameras: Dict[str, Camera] = {}

    def camera(self, camera_id: str) -> Optional[Camera]:
        return self._cameras.get(camera_id)

    def camera_ids(self) -> List[str]:
        return list(self._cameras)

    def __iter__(self) -> Iterator[Camera]:
        return iter(self._cameras.values())

    def remove(self, camera_id: str) -> None:
        """Forgets a camera."""
        self._cameras.pop(camera_id, None)

    def apply(self, delta: TokenDelta) -> Camera:
        """Applies one delta and returns the camera's state after it.

        :raises MirrorSyncError: if it does not follow what is held
        """
        cid = delta.camera_id
        cam = self._cameras.get(cid)
        if cam is None:
            cam = self._cameras[cid] = Camera(cid)
        seq = delta.delta_seq
        keyframe = delta.kind == "KEYFRAME"
        expected_if_synced = cam.last_applied_seq + 1 if cam.synced else -1
        if cam.last_applied_seq >= 0 and seq == cam.last_applied_seq:
            raise MirrorSyncError(
                Problem.DUPLICATE, cid, expected_if_synced, seq,
                "camera '%s': duplicate delta %d (already applied)" % (cid, seq),
            )
        if cam.last_applied_seq >= 0 and seq < cam.last_applied_seq:
            raise MirrorSyncError(
                Problem.REORDERED, cid, expected_if_synced, seq,
                "camera '%s': delta %d arrived after delta %d (out of order)"
                % (cid, seq, cam.last_applied_seq),
            )
        if not keyframe:
            if not cam.synced:
                raise MirrorSyncError(
                    Problem.NOT_SYNCED, cid, -1, seq,
                    "camera '%s': delta %d cannot be applied before a keyframe; waiting for one"
                    % (cid, seq),
                )
            if seq != cam.last_applied_seq + 1:
                expected = cam.last_applied_seq + 1
                cam.synced = False
                cam.last_applied_seq = seq
                raise MirrorSyncError(
                    Problem.GAP, cid, expected, seq,
                    "camera '%s': expected delta %d but got %d; %d missing, resynchronising at "
                    "the next keyframe" % (cid, expected, seq, seq - expected),
                )
        try:
            if keyframe:
                _apply_keyframe(cam, delta)
                if cam.last_applied_seq >= 0 and seq > cam.last_applied_seq + 1:
                    cam.skipped_deltas += seq - cam.last_applied_seq - 1
            else:
                _apply_delta(cam, delta)
        except ValueError as e:
            cam.synced = False
            cam.last_applied_seq = seq
            raise MirrorSyncError(
                Problem.CORRUPT, cid, -1, seq,
                "camera '%s': delta %d does not fit: %s" % (cid, seq, e),
            ) from e
        cam.last_applied_seq = seq
        cam.last_frame_seq = delta.frame_seq
        cam.synced = True
        return cam


def _put_upserts(table, latents, upserts, levels) -> None:
    for u in upserts:
        if u.slot < 0 or not u.tokens or len(u.tokens) > levels:
            raise ValueError("upsert of slot %d with %d tokens" % (u.slot, len(u.tokens)))
        table[u.slot] = tuple(u.tokens)
        latents[u.slot] = u.latent


def _apply_keyframe(cam: Camera, delta: TokenDelta) -> None:
    rows, cols = delta.grid_rows, delta.grid_cols
    if rows <= 0 or cols <= 0 or delta.levels <= 0:
        raise ValueError("grid %dx%d" % (rows, cols))
    table: Dict[int, Tuple[int, ...]] = {}
    latents: Dict[int, Optional[bytes]] = {}
    _put_upserts(table, latents, delta.upserts, delta.levels)
    _check_motion(delta, rows, cols)
    positions, slots = keymap.decode(delta.key_map, rows * cols)
    if len(positions) != rows * cols:
        raise ValueError("keyframe lists %d of %d positions" % (len(positions), rows * cols))
    for slot in slots:
        if slot not in table:
            raise ValueError("key map refers to unknown slot %d" % slot)
    cam._table = table
    cam._latents = latents
    cam._key_map = slots
    cam.grid_rows = rows
    cam.grid_cols = cols
    cam.levels = delta.levels
    cam.model_id = delta.model_id
    cam.offset_x = 0
    cam.offset_y = 0


MAX_OFFSET = 1 << 12
"""Largest pixel offset a MOVED delta may declare (``TokenMirror.MAX_OFFSET``)."""


def _check_motion(delta: TokenDelta, rows: int, cols: int) -> None:
    sr, sc, ox, oy = delta.shift_rows, delta.shift_cols, delta.offset_x, delta.offset_y
    if delta.kind != "MOVED":
        if sr or sc or ox or oy:
            raise ValueError(
                "%s with motion (shift %d, %d, offset %d, %d): only a MOVED delta may move the "
                "picture" % (delta.kind, sr, sc, ox, oy)
            )
        return
    if abs(sr) >= rows or abs(sc) >= cols or abs(ox) > MAX_OFFSET or abs(oy) > MAX_OFFSET:
        raise ValueError(
            "MOVED by %d rows, %d columns, offset %d, %d: expected a shift within the %dx%d grid "
            "and an offset of at most %d pixels" % (sr, sc, ox, oy, rows, cols, MAX_OFFSET)
        )


def shifted(key_map: List[int], rows: int, cols: int, shift_rows: int, shift_cols: int) -> List[int]:
    """The key map after a MOVED delta's shift: position ``(r, c)`` takes the slot held at
    ``(r - shift_rows, c - shift_cols)``, clamped to the grid (edge positions repeat)."""
    out = []
    for r in range(rows):
        sr = min(rows - 1, max(0, r - shift_rows))
        for c in range(cols):
            sc = min(cols - 1, max(0, c - shift_cols))
            out.append(key_map[sr * cols + sc])
    return out


def show(picture: np.ndarray, offset_x: int, offset_y: int) -> np.ndarray:
    """The picture a consumer shows for a decoded grid ``[H, W, C]`` at an offset: pixel
    ``(x, y)`` is the grid's ``(x - offset_x, y - offset_y)``, clamped to the grid."""
    h, w = picture.shape[:2]
    ys = np.clip(np.arange(h) - offset_y, 0, h - 1)
    xs = np.clip(np.arange(w) - offset_x, 0, w - 1)
    return picture[ys][:, xs]


def _apply_delta(cam: Camera, delta: TokenDelta) -> None:
    if (
        delta.grid_rows != cam.grid_rows
        or delta.grid_cols != cam.grid_cols
        or delta.levels != cam.levels
        or delta.model_id != cam.model_id
    ):
        raise ValueError("shape or model changed without a keyframe: %s" % delta.model_id)
    positions, slots = keymap.decode(delta.key_map, cam.grid_rows * cam.grid_cols)
    table = dict(cam._table)
    latents = dict(cam._latents)
    for slot in delta.evictions:
        if table.pop(slot, None) is None:
            raise ValueError("eviction of unknown slot %d" % slot)
        latents.pop(slot, None)
    _put_upserts(table, latents, delta.upserts, cam.levels)
    _check_motion(delta, cam.grid_rows, cam.grid_cols)
    key_map = shifted(cam._key_map, cam.grid_rows, cam.grid_cols, delta.shift_rows,
                      delta.shift_cols)
    for p, s in zip(positions, slots):
        key_map[p] = s
    for p, s in enumerate(key_map):
        if s not in table:
            raise ValueError("position %d refers to slot %d that is not held" % (p, s))
    cam._table = table
    cam._latents = latents
    cam._key_map = key_map
    cam.offset_x = delta.offset_x
    cam.offset_y = delta.offset_y
