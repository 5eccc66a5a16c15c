"""Avro Parsing Canonical Form and its CRC-64-AVRO fingerprint.

Written here rather than taken from ``python3-avro``: Debian's avro 1.11 keeps a primitive with a
logical type as ``{"type":"long"}`` where the specification (and Java's ``SchemaNormalization``)
writes ``"long"``, so its fingerprints of deltatok's schemas differ from the ones on the wire.
"""

import json
from typing import Dict, Optional, Union

PRIMITIVES = frozenset(
    ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
)

_EMPTY = 0xC15D213AA4D7A795
_MASK = 0xFFFFFFFFFFFFFFFF


def _table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY & -(fp & 1))
        table.append(fp & _MASK)
    return table


_TABLE = _table()

SchemaJson = Union[str, list, dict]


def crc64_avro(data: bytes) -> int:
    """The CRC-64-AVRO of ``data`` as an unsigned 64-bit integer."""
    fp = _EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def parsing_canonical_form(schema: Union[str, SchemaJson]) -> str:
    """The Parsing Canonical Form of a schema given as JSON text or as parsed JSON.

    Primitives become their bare name, also when an object carries a logical type
    (``{"type": "long", "logicalType": "timestamp-micros"}`` is ``"long"``); names become full
    names; only ``name``, ``type``, ``fields``, ``symbols``, ``items``, ``values`` and ``size``
    are kept, in that order; a named type seen before is written as its full name.
    """
    if isinstance(schema, str):
        stripped = schema.strip()
        if stripped.startswith(("{", "[", '"')):
            schema = json.loads(stripped)
    return _canonical(schema, None, {})


def fingerprint(schema: Union[str, SchemaJson]) -> int:
    """CRC-64-AVRO of the Parsing Canonical Form (unsigned; Java's ``long`` reinterpreted)."""
    return crc64_avro(parsing_canonical_form(schema).encode("utf-8"))


def fingerprint_signed(schema: Union[str, SchemaJson]) -> int:
    """The fingerprint as Java's ``SchemaNormalization.parsingFingerprint64`` returns it."""
    fp = fingerprint(schema)
    return fp - (1 << 64) if fp >= 1 << 63 else fp


def _full_name(name: str, namespace: Optional[str]) -> str:
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def _canonical(s: SchemaJson, namespace: Optional[str], seen: Dict[str, str]) -> str:
    if isinstance(s, str):
        if s in PRIMITIVES:
            return '"' + s + '"'
        full = _full_name(s, namespace)
        if full not in seen:
            raise ValueError("undefined name: " + full)
        return seen[full]
    if isinstance(s, list):
        return "[" + ",".join(_canonical(b, namespace, seen) for b in s) + "]"
    if not isinstance(s, dict) or "type" not in s:
        raise ValueError("not an Avro schema: %r" % (s,))
    kind = s["type"]
    if not isinstance(kind, str):
        return _canonical(kind, namespace, seen)
    if kind in PRIMITIVES:
        # {"type": "long", "logicalType": ...} is the primitive itself
        return '"' + kind + '"'
    if kind in ("record", "error", "enum", "fixed"):
        name = s["name"]
        if "." in name:
            full = name
            inner = name.rsplit(".", 1)[0]
        else:
            inner = s.get("namespace", namespace) or None
            full = _full_name(name, inner)
        if full in seen:
            return seen[full]
        quoted = '"' + full + '"'
        seen[full] = quoted
        out = '{"name":' + quoted + ',"type":"' + ("record" if kind == "error" else kind) + '"'
        if kind == "enum":
            out += ',"symbols":[' + ",".join('"' + x + '"' for x in s["symbols"]) + "]"
        elif kind == "fixed":
            out += ',"size":' + str(int(s["size"]))
        else:
            fields = []
            for f in s["fields"]:
                fields.append(
                    '{"name":"' + f["name"] + '","type":' + _canonical(f["type"], inner, seen) + "}"
                )
            out += ',"fields":[' + ",".join(fields) + "]"
        return out + "}"
    if kind == "array":
        return '{"type":"array","items":' + _canonical(s["items"], namespace, seen) + "}"
    if kind == "map":
        return '{"type":"map","values":' + _canonical(s["values"], namespace, seen) + "}"
    # a named type referenced as {"type": "dev.deltatok.schema.DeltaKind"}
    return _canonical(kind, namespace, seen)
