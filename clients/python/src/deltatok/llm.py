"""Mirror state as model input: the token sequence of ``docs/llm-format.md``, cut into camera
windows exactly as Java's ``dev.deltatok.llm`` package (``LlmVocabulary``, ``LlmWindower``,
``WindowSummary``, ``LlmRecord``) does, so both print the same records."""

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from .mirror import Camera, shifted
from .wire import TokenDelta

CAMERAS = 256
SUMMARIES = 256
SPECIALS = 8


def camera_index(camera_id: str) -> int:
    """FNV-1a (32 bit) of the UTF-8 camera id, mod 256."""
    h = 0x811C9DC5
    for b in camera_id.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % CAMERAS


class LlmVocabulary:
    """The token-id layout: visual ``l*K + c``, then ``<|window|>``, ``<|/window|>``,
    ``<|frame|>``, ``<|keyframe|>``, ``<|snapshot|>``, ``<|scene_cut|>``, ``<|shift|>``, one
    reserved id, ``P`` position tokens, 256 camera tokens and 256 summary tokens."""

    def __init__(self, levels: int, codebook_size: int, grid_rows: int, grid_cols: int):
        if levels < 1 or codebook_size < 1 or grid_rows < 1 or grid_cols < 1:
            raise ValueError(
                "levels, codebook size and grid must be positive, got %d, %d, %dx%d"
                % (levels, codebook_size, grid_rows, grid_cols)
            )
        self.levels = levels
        self.codebook_size = codebook_size
        self.grid_rows = grid_rows
        self.grid_cols = grid_cols

    @property
    def positions(self) -> int:
        return self.grid_rows * self.grid_cols

    @property
    def visual_size(self) -> int:
        return self.levels * self.codebook_size

    def visual(self, level: int, code: int) -> int:
        if level < 0 or level >= self.levels or code < 0 or code >= self.codebook_size:
            raise ValueError("no visual token for level %d, code %d" % (level, code))
        return level * self.codebook_size + code

    @property
    def window(self) -> int:
        return self.visual_size

    @property
    def window_end(self) -> int:
        return self.visual_size + 1

    @property
    def frame(self) -> int:
        return self.visual_size + 2

    @property
    def keyframe(self) -> int:
        return self.visual_size + 3

    @property
    def snapshot(self) -> int:
        return self.visual_size + 4

    @property
    def scene_cut(self) -> int:
        return self.visual_size + 5

    @property
    def shift(self) -> int:
        """Global motion: the picture moved as a whole; one position token follows
        (:meth:`shift_target`)."""
        return self.visual_size + 6

    def shift_target(self, shift_rows: int, shift_cols: int) -> int:
        """The position ``<|shift|>``'s following token names: where the content of the centre
        position ``(rows // 2, cols // 2)`` moved to."""
        r = self.grid_rows // 2 + shift_rows
        c = self.grid_cols // 2 + shift_cols
        if not (0 <= r < self.grid_rows and 0 <= c < self.grid_cols):
            raise ValueError("a shift by %d, %d moves the centre off the grid"
                             % (shift_rows, shift_cols))
        return r * self.grid_cols + c

    def position(self, p: int) -> int:
        if p < 0 or p >= self.positions:
            raise ValueError("position %d outside [0, %d)" % (p, self.positions))
        return self.visual_size + SPECIALS + p

    def _camera_base(self) -> int:
        return self.visual_size + SPECIALS + self.positions

    def camera(self, camera_id: str) -> int:
        return self._camera_base() + camera_index(camera_id)

    def summary(self, value: int) -> int:
        if value < 0 or value >= SUMMARIES:
            raise ValueError("summary %d outside [0, %d)" % (value, SUMMARIES))
        return self._camera_base() + CAMERAS + value

    @property
    def first_special(self) -> int:
        return self.visual_size

    @property
    def size(self) -> int:
        return self._camera_base() + CAMERAS + SUMMARIES

    def name(self, token: int) -> str:
        """A readable name: ``v2:517``, ``<|frame|>``, ``<|pos_37|>``, ..."""
        if token < 0 or token >= self.size:
            raise ValueError("token %d outside [0, %d)" % (token, self.size))
        if token < self.visual_size:
            return "v%d:%d" % (token // self.codebook_size, token % self.codebook_size)
        s = token - self.visual_size
        if s < SPECIALS:
            names = ["<|window|>", "<|/window|>", "<|frame|>", "<|keyframe|>", "<|snapshot|>",
                     "<|scene_cut|>", "<|shift|>"]
            return names[s] if s < len(names) else "<|reserved_%d|>" % s
        s -= SPECIALS
        if s < self.positions:
            return "<|pos_%d|>" % s
        s -= self.positions
        if s < CAMERAS:
            return "<|cam_%d|>" % s
        return "<|sum_%d|>" % (s - CAMERAS)


@dataclass(frozen=True)
class WindowSummary:
    """The window's summary token value: activity (bits 0-1), quadrants (2-5), re-based (6),
    rising (7)."""

    activity: int
    quadrants: int
    rebased: bool
    rising: bool
    changed_fraction: float

    @property
    def value(self) -> int:
        return (
            self.activity
            | self.quadrants << 2
            | (1 << 6 if self.rebased else 0)
            | (1 << 7 if self.rising else 0)
        )

    @staticmethod
    def of(changes_per_position: List[int], grid_rows: int, grid_cols: int,
           changes_per_frame: List[int], rebased: bool) -> "WindowSummary":
        positions = grid_rows * grid_cols
        total = 0
        quadrant = [0, 0, 0, 0]
        for p in range(positions):
            r, c = divmod(p, grid_cols)
            q = (2 if r * 2 >= grid_rows else 0) + (1 if c * 2 >= grid_cols else 0)
            quadrant[q] += changes_per_position[p]
            total += changes_per_position[p]
        frames = len(changes_per_frame)
        fraction = 0.0 if frames == 0 else float(total) / float(frames * positions)
        if total == 0:
            activity = 0
        elif fraction < 0.02:
            activity = 1
        elif fraction < 0.10:
            activity = 2
        else:
            activity = 3
        quadrants = 0
        for q in range(4):
            if total > 0 and quadrant[q] * 4 >= total:
                quadrants |= 1 << q
        first = sum(changes_per_frame[i] for i in range(frames) if i < frames // 2)
        second = sum(
            changes_per_frame[i] for i in range(frames) if i >= frames - frames // 2
        )
        return WindowSummary(activity, quadrants, rebased, second > first, fraction)


@dataclass(frozen=True)
class LlmRecord:
    """One camera window: the flat token sequence, the Token-Dynamics pair held at its end, and
    its summary token."""

    camera_id: str
    model_id: str
    first_frame_seq: int
    last_frame_seq: int
    frames: int
    tokens: List[int]
    table: Dict[int, Tuple[int, ...]]
    key_map: List[int]
    summary: WindowSummary
    summary_token: int

    def to_json_tree(self, vocabulary: LlmVocabulary) -> dict:
        """The JSON shape ``tail --format llm`` prints (keys in Java's order)."""
        return {
            "camera": self.camera_id,
            "model": self.model_id,
            "frames": [self.first_frame_seq, self.last_frame_seq],
            "frameCount": self.frames,
            "vocabularySize": vocabulary.size,
            "tokenCount": len(self.tokens),
            "tokens": self.tokens,
            "summary": {
                "token": self.summary_token,
                "value": self.summary.value,
                "activity": self.summary.activity,
                "quadrants": self.summary.quadrants,
                "rebased": self.summary.rebased,
                "rising": self.summary.rising,
                "changedFraction": self.summary.changed_fraction,
            },
            "table": {str(slot): list(ids) for slot, ids in self.table.items()},
            "keyMap": self.key_map,
        }

    def render(self, vocabulary: LlmVocabulary, max_tokens: int = 1 << 62) -> str:
        shown = self.tokens[:max_tokens]
        out = " ".join(vocabulary.name(t) for t in shown)
        if len(shown) < len(self.tokens):
            out += " ... (%d more)" % (len(self.tokens) - len(shown))
        return out

    def token_array(self) -> np.ndarray:
        return np.array(self.tokens, dtype=np.int64)


class _Window:
    def __init__(self, held: Camera, codebook_size: int):
        self.camera_id = held.camera_id
        self.rows = held.grid_rows
        self.cols = held.grid_cols
        self.levels = held.levels
        self.vocabulary = LlmVocabulary(self.levels, codebook_size, self.rows, self.cols)
        self.tokens: List[int] = []
        self.changes_per_position = [0] * (self.rows * self.cols)
        self.changes_per_frame: List[int] = []
        self.grid: Optional[List[Tuple[int, ...]]] = None
        self.frames = 0
        self.first = -1
        self.last = -1
        self.rebased = False

    def fits(self, held: Camera) -> bool:
        return held.grid_rows == self.rows and held.grid_cols == self.cols and (
            held.levels == self.levels
        )

    def add(self, delta: TokenDelta, held: Camera) -> None:
        v = self.vocabulary
        now = held.token_grid()
        keyframe = delta.kind == "KEYFRAME"
        if self.frames == 0:
            self.tokens.append(v.window)
            self.tokens.append(v.camera(self.camera_id))
            self.first = delta.frame_seq
        self.tokens.append(v.frame)
        full = self.frames == 0 or keyframe
        if keyframe:
            self.tokens.append(v.keyframe)
            if delta.stats is not None and delta.stats.keyframe_reason == "SCENE_CUT":
                self.tokens.append(v.scene_cut)
            if self.frames > 0:
                self.rebased = True
        elif self.frames == 0:
            self.tokens.append(v.snapshot)
        if not full and (delta.shift_rows or delta.shift_cols):
            # The whole picture moved: say so, and list only what differs after the move.
            self.tokens.append(v.shift)
            self.tokens.append(v.position(v.shift_target(delta.shift_rows, delta.shift_cols)))
            self.grid = shifted(self.grid, self.rows, self.cols, delta.shift_rows,
                                delta.shift_cols)
        changed = 0
        for p, ids in enumerate(now):
            differs = self.grid is None or ids != self.grid[p]
            if full or differs:
                self.tokens.append(v.position(p))
                for level, code in enumerate(ids):
                    self.tokens.append(v.visual(level, code))
            if self.frames > 0 and differs:
                self.changes_per_position[p] += 1
                changed += 1
        if self.frames > 0:
            self.changes_per_frame.append(changed)
        self.grid = now
        self.last = delta.frame_seq
        self.frames += 1

    def build(self, held: Camera) -> LlmRecord:
        summary = WindowSummary.of(
            self.changes_per_position, self.rows, self.cols, self.changes_per_frame, self.rebased
        )
        token = self.vocabulary.summary(summary.value)
        return LlmRecord(
            camera_id=self.camera_id,
            model_id=held.model_id,
            first_frame_seq=self.first,
            last_frame_seq=self.last,
            frames=self.frames,
            tokens=self.tokens + [token, self.vocabulary.window_end],
            table=held.table,
            key_map=held.key_map,
            summary=summary,
            summary_token=token,
        )


class LlmWindower:
    """Cuts each camera's mirrored stream into windows of ``frames_per_window`` frames. Feed it
    every delta after the :class:`~deltatok.mirror.Mirror` applied it. A window starts with the
    whole grid held; later frames list only the positions whose token ids changed."""

    def __init__(self, frames_per_window: int, codebook_size: int):
        if frames_per_window < 1:
            raise ValueError("frames per window must be >= 1, got %d" % frames_per_window)
        if codebook_size < 1:
            raise ValueError("codebook size must be >= 1, got %d" % codebook_size)
        self.frames_per_window = frames_per_window
        self.codebook_size = codebook_size
        self._windows: Dict[str, _Window] = {}

    def add(self, delta: TokenDelta, held: Camera) -> Optional[LlmRecord]:
        """Adds the frame ``delta`` describes (``held``: the camera after applying it); returns
        the camera's window when this frame completed it."""
        w = self._windows.get(held.camera_id)
        if w is None or not w.fits(held):
            w = self._windows[held.camera_id] = _Window(held, self.codebook_size)
        w.add(delta, held)
        if w.frames == self.frames_per_window:
            del self._windows[held.camera_id]
            return w.build(held)
        return None

    def reset(self, camera_id: str) -> None:
        """Drops the camera's open window (e.g. after a gap)."""
        self._windows.pop(camera_id, None)

    def flush(self, held: Dict[str, Camera]) -> List[LlmRecord]:
        """Closes every open window holding at least one frame."""
        out = [
            w.build(held[cid])
            for cid, w in self._windows.items()
            if w.frames > 0 and cid in held
        ]
        self._windows.clear()
        return out

    def vocabulary(self, held: Camera) -> LlmVocabulary:
        return LlmVocabulary(held.levels, self.codebook_size, held.grid_rows, held.grid_cols)
