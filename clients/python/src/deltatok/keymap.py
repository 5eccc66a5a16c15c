"""The ``TokenDelta.keyMap`` encoding (``dev.deltatok.delta.KeyMapCodec``): an unsigned varint
count, then per update an unsigned varint position gap (``position - previous - 1``, the first
relative to -1, row-major) and an unsigned varint slot."""

from typing import List, Sequence, Tuple

_INT_MIN = -(1 << 31)


def _read_varint(data: bytes, at: int) -> Tuple[int, int]:
    # As Java reads it: a 32-bit int, bits shifted past 31 are lost, a negative result is refused.
    value = 0
    for shift in range(0, 35, 7):
        if at >= len(data):
            raise ValueError("truncated varint in key map")
        b = data[at]
        at += 1
        value = (value | ((b & 0x7F) << shift)) & 0xFFFFFFFF
        if b & 0x80 == 0:
            if value >= 1 << 31:
                raise ValueError("varint out of range in key map")
            return value, at
    raise ValueError("over-long varint in key map")


def decode(encoded: bytes, grid_size: int) -> Tuple[List[int], List[int]]:
    """Decodes updates: ``(positions, slots)``, ``slots[i]`` goes to ``positions[i]``.

    :raises ValueError: if the bytes are truncated, over-long, or name a position outside
        ``[0, grid_size)``
    """
    count, at = _read_varint(encoded, 0)
    if count > grid_size:
        raise ValueError("key map declares %d updates for a grid of %d" % (count, grid_size))
    positions: List[int] = []
    slots: List[int] = []
    previous = -1
    for _ in range(count):
        gap, at = _read_varint(encoded, at)
        position = previous + 1 + gap
        if position >= grid_size:
            raise ValueError("key-map position %d outside the grid of %d" % (position, grid_size))
        slot, at = _read_varint(encoded, at)
        positions.append(position)
        slots.append(slot)
        previous = position
    if at < len(encoded):
        raise ValueError("%d trailing bytes in key map" % (len(encoded) - at))
    return positions, slots


def _write_varint(out: bytearray, value: int) -> None:
    while value & ~0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def encode(positions: Sequence[int], slots: Sequence[int]) -> bytes:
    """Encodes updates; positions must be strictly increasing and >= 0, slots >= 0."""
    if len(positions) != len(slots):
        raise ValueError("%d positions but %d slots" % (len(positions), len(slots)))
    out = bytearray()
    _write_varint(out, len(positions))
    previous = -1
    for position, slot in zip(positions, slots):
        if position <= previous:
            raise ValueError(
                "key-map positions must be strictly increasing: %d after %d" % (position, previous)
            )
        if slot < 0:
            raise ValueError("negative slot %d" % slot)
        _write_varint(out, position - previous - 1)
        _write_varint(out, slot)
        previous = position
    return bytes(out)
