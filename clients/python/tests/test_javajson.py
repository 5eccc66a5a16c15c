import pytest

from deltatok import javajson
from deltatok.javajson import Float32, instant_from_micros, java_number


@pytest.mark.parametrize(
    "value, f32, java",
    [
        (0.0, False, "0.0"), (-0.0, False, "-0.0"), (1.0, False, "1.0"), (0.1, False, "0.1"),
        (0.1, True, "0.1"), (1 / 3, True, "0.33333334"), (1 / 3, False, "0.3333333333333333"),
        (1e-4, True, "1.0E-4"), (0.001, False, "0.001"), (1.5e7, True, "1.5E7"),
        (9999999.0, False, "9999999.0"), (123.456, False, "123.456"), (2.5e-10, False, "2.5E-10"),
        (0.02734375, False, "0.02734375"), (float("nan"), False, "NaN"),
        (float("-inf"), True, "-Infinity"),
    ],
)
def test_numbers_print_as_javas_to_string(value, f32, java):
    assert java_number(value, f32) == java


@pytest.mark.parametrize(
    "micros, java",
    [
        (0, "1970-01-01T00:00:00Z"),
        (1, "1970-01-01T00:00:00.000001Z"),
        (1000, "1970-01-01T00:00:00.001Z"),
        (1_764_752_527_120_000, "2025-12-03T09:02:07.120Z"),
        (-1000, "1969-12-31T23:59:59.999Z"),
        (253402300800 * 10**6, "+10000-01-01T00:00:00Z"),
        (-62167219201 * 10**6 + 1, "-0001-12-31T23:59:59.000001Z"),
    ],
)
def test_instants_print_as_javas_instant_to_string(micros, java):
    assert instant_from_micros(micros) == java


def test_json_is_compact_ordered_and_escapes_as_jackson():
    tree = {"b": [1, True, None], "a": "q\"\\\n\t\x01é/", "f": Float32(0.1), "d": 0.1,
            "nan": float("nan")}
    assert javajson.dumps(tree) == (
        '{"b":[1,true,null],"a":"q\\"\\\\\\n\\t\\u0001é/","f":0.1,"d":0.1,"nan":"NaN"}')
