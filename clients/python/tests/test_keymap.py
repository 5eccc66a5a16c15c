import pytest

from deltatok import keymap


def test_updates_round_trip():
    data = keymap.encode([0, 1, 200, 255], [7, 0, 300, 5])
    assert keymap.decode(data, 256) == ([0, 1, 200, 255], [7, 0, 300, 5])
    # count 4, then gap/slot pairs: 0/7, 0/0, 198/300 (two bytes each), 54/5
    assert data == bytes([4, 0, 7, 0, 0, 0xC6, 0x01, 0xAC, 0x02, 54, 5])


def test_no_updates():
    assert keymap.decode(keymap.encode([], []), 4) == ([], [])


@pytest.mark.parametrize(
    "data, message",
    [
        (bytes([5]), "declares 5 updates for a grid of 4"),
        (bytes([1, 4, 0]), "position 4 outside the grid of 4"),
        (bytes([1, 0]), "truncated varint"),
        (bytes([1, 0, 0, 9]), "1 trailing bytes"),
        (bytes([1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), "over-long varint"),
        (bytes([1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), "varint out of range"),
    ],
)
def test_bad_key_maps_are_refused_as_java_refuses_them(data, message):
    with pytest.raises(ValueError, match=message):
        keymap.decode(data, 4)


def test_a_fifth_varint_byte_loses_its_high_bits_as_in_java():
    # Java's readVarint shifts into a 32-bit int: 0x10 << 28 is 0
    assert keymap.decode(bytes([1, 0, 0x80, 0x80, 0x80, 0x80, 0x10]), 4) == ([0], [0])


def test_positions_must_increase():
    with pytest.raises(ValueError, match="strictly increasing"):
        keymap.encode([3, 3], [0, 0])
