"""deltatok's wire format: Avro single-object encoding (``C3 01``, the writer schema's CRC-64-AVRO
fingerprint little-endian, then the binary body), reading the current schema and every released
one, as the Java serdes (``dev.deltatok.wire.AvroWireCodec``) do.

Decoding uses ``python3-avro`` for the binary body and schema resolution, with the schemas'
logical types removed so timestamps stay the microsecond ``long`` s they are on the wire; the
fingerprints come from :mod:`deltatok.canonical`.
"""

import enum
import io
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Dict, List, Optional

import avro.errors
import avro.io
import avro.schema

from . import canonical

MARKER = b"\xc3\x01"
HEADER_BYTES = 10
RECORD_NAMES = ("Frame", "TokenDelta", "RejectedFrame")


class Problem(enum.Enum):
    """What is wrong with a payload (``WireFormatException.Problem`` in Java)."""

    EMPTY = "EMPTY"
    BAD_MARKER = "BAD_MARKER"
    TRUNCATED = "TRUNCATED"
    UNKNOWN_FINGERPRINT = "UNKNOWN_FINGERPRINT"
    CORRUPT = "CORRUPT"


class WireFormatError(ValueError):
    """A payload that is not a value of the expected record type."""

    def __init__(self, problem: Problem, message: str):
        super().__init__(message)
        self.problem = problem


def fingerprint_hex(fp: int) -> str:
    """The fingerprint as its 8 bytes appear on the wire, e.g. ``6C 2E ...``."""
    return " ".join("%02X" % b for b in fp.to_bytes(8, "little"))


def schema_text(record_name: str, version: Optional[int] = None) -> str:
    """The shipped ``.avsc`` text: the current schema, or released version ``version``."""
    base = resources.files("deltatok") / "schemas"
    path = base / (record_name + ".avsc")
    if version is not None:
        path = base / "released" / ("v%d" % version) / (record_name + ".avsc")
    return path.read_text(encoding="utf-8")


def released_schemas(record_name: str) -> List[str]:
    """Released versions of a record type's schema, oldest first (``released/v1``, ``v2``...)."""
    out = []
    base = resources.files("deltatok") / "schemas" / "released"
    version = 1
    while True:
        path = base / ("v%d" % version) / (record_name + ".avsc")
        if not path.is_file():
            return out
        out.append(path.read_text(encoding="utf-8"))
        version += 1


def _without_logical_types(s):
    if isinstance(s, dict):
        return {k: _without_logical_types(v) for k, v in s.items() if k != "logicalType"}
    if isinstance(s, list):
        return [_without_logical_types(x) for x in s]
    return s


def _parse(text: str) -> avro.schema.Schema:
    return avro.schema.parse(json.dumps(_without_logical_types(json.loads(text))))


class _Decoder(avro.io.BinaryDecoder):
    def read_utf8(self) -> str:
        # Java decodes strings with replacement characters rather than failing
        return self.read_bytes().decode("utf-8", errors="replace")


class _Reader(avro.io.DatumReader):
    def read_enum(self, writers_schema, readers_schema, decoder):
        index = decoder.read_int()
        if index < 0 or index >= len(writers_schema.symbols):
            raise avro.errors.SchemaResolutionException(
                "enum index %d outside the writer's %d symbols"
                % (index, len(writers_schema.symbols)),
                writers_schema,
                readers_schema,
            )
        symbol = writers_schema.symbols[index]
        if symbol not in readers_schema.symbols:
            # Avro 1.9+ resolution: an unknown symbol reads as the reader enum's default
            default = readers_schema.props.get("default")
            if default is None:
                raise avro.errors.SchemaResolutionException(
                    "symbol %s not in the reader's enum" % symbol, writers_schema, readers_schema
                )
            return default
        return symbol


class WireCodec:
    """Single-object encoding of one record type, reading its current and released schemas.

    Values decode to plain dicts (records), lists, ints, floats, strings, bytes and enum symbol
    strings; ``timestamp-micros`` fields stay ints (microseconds since the epoch).
    """

    def __init__(self, record_name: str, schema_json: Optional[str] = None):
        text = schema_json if schema_json is not None else schema_text(record_name)
        self.record_name = record_name
        self.schema_json = text
        self.fingerprint = canonical.fingerprint(text)
        self._schema = _parse(text)
        self._full_name = self._schema.fullname
        self._writers: Dict[int, avro.schema.Schema] = {self.fingerprint: self._schema}
        if schema_json is None:
            for released in released_schemas(record_name):
                self.add_writer_schema(released)

    def add_writer_schema(self, schema_json: str) -> "WireCodec":
        """Also read values written with this (older or newer, compatible) schema."""
        fp = canonical.fingerprint(schema_json)
        if fp not in self._writers:
            self._writers[fp] = _parse(schema_json)
        return self

    def known_fingerprints(self) -> List[int]:
        return list(self._writers)

    def encode(self, value: dict) -> bytes:
        """Encodes with the current schema."""
        out = io.BytesIO()
        out.write(MARKER)
        out.write(self.fingerprint.to_bytes(8, "little"))
        try:
            avro.io.DatumWriter(self._schema).write(value, avro.io.BinaryEncoder(out))
        except (avro.errors.AvroException, TypeError, ValueError) as e:
            raise ValueError("cannot encode %s: %s" % (self._full_name, e)) from e
        return out.getvalue()

    def _expected(self) -> str:
        return "Avro single-object encoding of %s (C3 01, fingerprint %s, body)" % (
            self._full_name,
            fingerprint_hex(self.fingerprint),
        )

    def decode(self, data: Optional[bytes]) -> dict:
        """Decodes one value.

        :raises WireFormatError: with a :class:`Problem` and a message naming what was expected
        """
        if not data:
            raise WireFormatError(Problem.EMPTY, "empty payload: expected " + self._expected())
        if len(data) < 2 or data[:2] != MARKER:
            seen = " ".join("%02X" % b for b in data[:2])
            raise WireFormatError(
                Problem.BAD_MARKER,
                "bad marker %s in a %d-byte payload: expected C3 01, the Avro single-object "
                "marker, then the %s fingerprint" % (seen, len(data), self.record_name),
            )
        if len(data) < HEADER_BYTES:
            raise WireFormatError(
                Problem.TRUNCATED,
                "truncated header: %d bytes, but the single-object header alone is %d bytes; "
                "expected %s" % (len(data), HEADER_BYTES, self._expected()),
            )
        written = int.from_bytes(data[2:HEADER_BYTES], "little")
        writer = self._writers.get(written)
        if writer is None:
            raise WireFormatError(
                Problem.UNKNOWN_FINGERPRINT,
                "unknown schema fingerprint %s: not a %s schema this reader knows (known: %s)"
                % (
                    fingerprint_hex(written),
                    self._full_name,
                    ", ".join(fingerprint_hex(fp) for fp in self._writers),
                ),
            )
        reader = _Reader(writer, self._schema)
        try:
            return reader.read(_Decoder(io.BytesIO(data[HEADER_BYTES:])))
        except avro.errors.InvalidAvroBinaryEncoding as e:
            if "expected" in str(e) and "Read " in str(e):
                raise WireFormatError(
                    Problem.TRUNCATED,
                    "truncated payload: %d bytes end before the %s record does; expected a "
                    "complete %s" % (len(data), self.record_name, self._expected()),
                ) from e
            raise WireFormatError(
                Problem.CORRUPT,
                "corrupt %s body (%d bytes): %s" % (self.record_name, len(data), e),
            ) from e
        except (avro.errors.AvroException, ValueError, TypeError, IndexError, OverflowError) as e:
            raise WireFormatError(
                Problem.CORRUPT,
                "corrupt %s body (%d bytes): %s" % (self.record_name, len(data), e),
            ) from e


# ---------------------------------------------------------------------------------------------
# TokenDelta as Python objects


@dataclass(frozen=True)
class SlotUpsert:
    slot: int
    tokens: List[int]
    latent: Optional[bytes] = None


@dataclass(frozen=True)
class FrameStats:
    changed_patches: int
    encoded_patches: int
    sent_patches: int
    tokens: int
    table_size: int
    estimated_error: float
    keyframe_reason: str = "UNKNOWN"
    skipped_frames: int = 0
    budget_scale: float = 1.0


@dataclass(frozen=True)
class TokenDelta:
    """One ``dev.deltatok.schema.TokenDelta``; times in microseconds since the epoch."""

    camera_id: str
    delta_seq: int
    frame_seq: int
    capture_time_micros: int
    emit_time_micros: int
    kind: str
    model_id: str
    grid_rows: int
    grid_cols: int
    levels: int
    upserts: List[SlotUpsert] = field(default_factory=list)
    evictions: List[int] = field(default_factory=list)
    key_map: bytes = b""
    stats: Optional[FrameStats] = None
    shift_rows: int = 0
    """Global motion (a MOVED delta): the held key map moves by this many rows first."""
    shift_cols: int = 0
    offset_x: int = 0
    """Global motion below a patch: the decoded grid is shown this many pixels to the right."""
    offset_y: int = 0

    @property
    def keyframe(self) -> bool:
        return self.kind == "KEYFRAME"

    @property
    def moved(self) -> bool:
        """A MOVED delta: the picture moved as a whole (shift and offset)."""
        return self.kind == "MOVED"

    @staticmethod
    def from_avro(r: dict) -> "TokenDelta":
        s = r["stats"]
        return TokenDelta(
            camera_id=r["cameraId"],
            delta_seq=r["deltaSeq"],
            frame_seq=r["frameSeq"],
            capture_time_micros=r["captureTime"],
            emit_time_micros=r["emitTime"],
            kind=r["kind"],
            model_id=r["modelId"],
            grid_rows=r["gridRows"],
            grid_cols=r["gridCols"],
            levels=r["levels"],
            upserts=[SlotUpsert(u["slot"], list(u["tokens"]), u.get("latent")) for u in r["upserts"]],
            evictions=list(r["evictions"]),
            key_map=bytes(r["keyMap"]),
            shift_rows=r.get("shiftRows", 0),
            shift_cols=r.get("shiftCols", 0),
            offset_x=r.get("offsetX", 0),
            offset_y=r.get("offsetY", 0),
            stats=FrameStats(
                changed_patches=s["changedPatches"],
                encoded_patches=s["encodedPatches"],
                sent_patches=s["sentPatches"],
                tokens=s["tokens"],
                table_size=s["tableSize"],
                estimated_error=s["estimatedError"],
                keyframe_reason=s.get("keyframeReason", "UNKNOWN"),
                skipped_frames=s.get("skippedFrames", 0),
                budget_scale=s.get("budgetScale", 1.0),
            ),
        )

    def to_avro(self) -> dict:
        s = self.stats or FrameStats(0, 0, 0, 0, 0, 0.0, "NONE")
        return {
            "cameraId": self.camera_id,
            "deltaSeq": self.delta_seq,
            "frameSeq": self.frame_seq,
            "captureTime": self.capture_time_micros,
            "emitTime": self.emit_time_micros,
            "kind": self.kind,
            "modelId": self.model_id,
            "gridRows": self.grid_rows,
            "gridCols": self.grid_cols,
            "levels": self.levels,
            "upserts": [
                {"slot": u.slot, "tokens": list(u.tokens), "latent": u.latent} for u in self.upserts
            ],
            "evictions": list(self.evictions),
            "keyMap": self.key_map,
            "shiftRows": self.shift_rows,
            "shiftCols": self.shift_cols,
            "offsetX": self.offset_x,
            "offsetY": self.offset_y,
            "stats": {
                "changedPatches": s.changed_patches,
                "encodedPatches": s.encoded_patches,
                "sentPatches": s.sent_patches,
                "tokens": s.tokens,
                "tableSize": s.table_size,
                "estimatedError": s.estimated_error,
                "keyframeReason": s.keyframe_reason,
                "skippedFrames": s.skipped_frames,
                "budgetScale": s.budget_scale,
            },
        }


class TokenDeltaCodec:
    """Decodes ``<prefix>.deltas`` values into :class:`TokenDelta` (and encodes, for tests)."""

    def __init__(self):
        self.codec = WireCodec("TokenDelta")

    def decode(self, data: bytes) -> TokenDelta:
        return TokenDelta.from_avro(self.codec.decode(data))

    def encode(self, delta: TokenDelta) -> bytes:
        return self.codec.encode(delta.to_avro())


def camera_key(key: Optional[bytes]) -> Optional[str]:
    """Record keys on every deltatok topic are the camera id as UTF-8."""
    return None if key is None else key.decode("utf-8", errors="replace")
