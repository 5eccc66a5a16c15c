"""JSON text exactly as the Java tools print it (Jackson's default ``ObjectMapper``), so that
``python3 -m deltatok tail`` and ``./deltatok tail`` print the same bytes.

- no whitespace; keys in insertion order;
- strings: ``"`` and ``\\`` escaped, ``\\b \\t \\n \\f \\r`` named, other control characters as
  ``\\u00XX`` (upper-case hex), everything else as is (UTF-8 on output);
- doubles as ``Double.toString`` and floats (:class:`Float32`) as ``Float.toString``: the
  shortest digits that read back to the same value, plain between 10^-3 and 10^7, else
  ``d.dddE±n``; NaN and infinities quoted;
- instants (:func:`instant_from_micros`) as ``java.time.Instant.toString``.

JDK 17's ``Float/Double.toString`` print a few more digits than needed for some values at or
above 10^7 and for some subnormals (fixed in JDK 19, JDK-4511638); this module prints the
shortest form, which is what JDK 19 and later print. deltatok's floating-point fields (an
estimated error and a changed fraction, both in [0, 1]) lie outside those ranges; an
exhaustive-by-stride comparison with JDK 17 found no difference between 10^-12 and 10^7.
"""

import math

import numpy as np


class Float32(float):
    """A value Java holds as a ``float``: printed with ``Float.toString``'s digits."""


def _shortest_digits(x: float, f32: bool):
    sci = np.format_float_scientific(
        np.float32(x) if f32 else np.float64(x), unique=True, trim="-"
    )
    mantissa, exponent = sci.split("e")
    mantissa = mantissa.lstrip("-")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    return digits, int(exponent)


def java_number(x: float, f32: bool = False) -> str:
    """``Double.toString(x)`` (or ``Float.toString`` with ``f32``) without the JDK 17 quirks."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0.0"
    if f32:
        x = float(np.float32(x))
    digits, e = _shortest_digits(x, f32)
    if 1e-3 <= abs(x) < 1e7:
        if e >= 0:
            whole = digits[: e + 1].ljust(e + 1, "0")
            frac = digits[e + 1:] or "0"
        else:
            whole = "0"
            frac = "0" * (-e - 1) + digits
        return sign + whole + "." + frac
    return sign + digits[0] + "." + (digits[1:] or "0") + "E" + str(e)


def _civil_from_days(z: int):
    # Howard Hinnant's days_from_civil inverse, proleptic Gregorian, any year
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def instant_from_micros(micros: int) -> str:
    """``Instant.toString`` of a ``timestamp-micros`` value, e.g. ``2026-12-03T09:02:07.123456Z``."""
    seconds, micro = divmod(micros, 1_000_000)
    days, sod = divmod(seconds, 86400)
    year, month, day = _civil_from_days(days)
    if year > 9999:
        y = "+%d" % year
    elif year >= 0:
        y = "%04d" % year
    else:
        y = "-%04d" % -year
    out = "%s-%02d-%02dT%02d:%02d:%02d" % (y, month, day, sod // 3600, sod % 3600 // 60, sod % 60)
    nanos = micro * 1000
    if nanos:
        if nanos % 1_000_000 == 0:
            out += ".%03d" % (nanos // 1_000_000)
        else:
            out += ".%06d" % micro
    return out + "Z"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dumps(value) -> str:
    """Serialises dicts, lists/tuples, strings, ints, bools, None, floats and :class:`Float32`."""
    parts = []
    _write(value, parts)
    return "".join(parts)


def _write(v, out) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, Float32):
        _write_float(float(v), True, out)
    elif isinstance(v, float):
        _write_float(v, False, out)
    elif isinstance(v, (int, np.integer)):
        out.append(str(int(v)))
    elif isinstance(v, dict):
        out.append("{")
        first = True
        for k, item in v.items():
            if not first:
                out.append(",")
            first = False
            out.append(_string(str(k)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(v, (list, tuple, np.ndarray)):
        out.append("[")
        first = True
        for item in v:
            if not first:
                out.append(",")
            first = False
            _write(item, out)
        out.append("]")
    else:
        raise TypeError("cannot write %r as JSON" % (v,))


def _write_float(x: float, f32: bool, out) -> None:
    text = java_number(x, f32)
    # Jackson quotes non-finite numbers (QUOTE_NON_NUMERIC_NUMBERS, on by default)
    out.append('"' + text + '"' if math.isnan(x) or math.isinf(x) else text)
