import json
import pathlib

import pytest

from deltatok import canonical, wire

REPO = pathlib.Path(__file__).resolve().parents[3]


# Test vectors of the Avro specification's test data (share/test/data/schema-tests.txt).
@pytest.mark.parametrize(
    "primitive, expected",
    [
        ("null", 7195948357588979594),
        ("boolean", -6970731678124411036),
        ("int", 8247732601305521295),
        ("long", -3434872931120570953),
        ("float", 5583340709985441680),
        ("double", -8181574048448539266),
        ("bytes", 5746618253357095269),
        ("string", -8142146995180207161),
    ],
)
def test_fingerprints_of_primitives_are_the_specifications(primitive, expected):
    assert canonical.fingerprint_signed('"%s"' % primitive) == expected
    assert canonical.fingerprint_signed({"type": primitive}) == expected


def test_primitive_with_a_logical_type_collapses_to_the_bare_primitive():
    form = canonical.parsing_canonical_form(
        {"type": "record", "name": "R", "fields": [
            {"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "d", "type": {"type": "int", "logicalType": "date"}},
        ]}
    )
    assert form == ('{"name":"R","type":"record","fields":[{"name":"t","type":"long"},'
                    '{"name":"d","type":"int"}]}')


def test_names_are_full_attributes_ordered_and_stripped_and_repeats_are_names():
    schema = {
        "doc": "dropped", "fields": [
            {"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"},
             "doc": "dropped", "default": 0},
            {"name": "e", "type": {"symbols": ["X", "Y"], "type": "enum", "name": "E",
                                   "default": "X"}},
            {"name": "e2", "type": "E"},
            {"name": "f", "type": {"type": "fixed", "name": "c.F", "size": 4}},
        ], "namespace": "a.b", "name": "R", "type": "record",
    }
    assert canonical.parsing_canonical_form(json.dumps(schema, indent=2)) == (
        '{"name":"a.b.R","type":"record","fields":[{"name":"t","type":"long"},'
        '{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["X","Y"]}},'
        '{"name":"e2","type":"a.b.E"},{"name":"f","type":{"name":"c.F","type":"fixed",'
        '"size":4}}]}'
    )


def test_arrays_maps_and_unions():
    assert canonical.parsing_canonical_form(
        {"type": "array", "items": {"type": "map", "values": ["null", {"type": "bytes"}]}}
    ) == '{"type":"array","items":{"type":"map","values":["null","bytes"]}}'


def test_an_undefined_name_is_refused():
    with pytest.raises(ValueError, match="undefined name: Nope"):
        canonical.parsing_canonical_form({"type": "array", "items": "Nope"})


def test_crc64_of_nothing_is_the_empty_value():
    assert canonical.crc64_avro(b"") == 0xC15D213AA4D7A795


@pytest.mark.parametrize("name", wire.RECORD_NAMES)
def test_shipped_schemas_are_the_repositorys(name):
    """The package ships copies of schemas/; a schema change must be copied here too (and the
    mirror taught its meaning)."""
    src = REPO / "schemas" / "src" / "main"
    assert wire.schema_text(name) == (src / "avro" / (name + ".avsc")).read_text(), (
        "copy schemas/src/main/avro/%s.avsc to clients/python/src/deltatok/schemas/" % name)
    released = sorted((src / "resources/dev/deltatok/schema/released").glob("v*/" + name + ".avsc"))
    assert released, "no released schemas found under " + str(src)
    assert wire.released_schemas(name) == [p.read_text() for p in released]


def test_every_logical_type_in_the_shipped_schemas_sits_on_a_primitive():
    """The collapse rule is what makes these fingerprints right; python3-avro 1.11 gets them
    wrong for exactly these fields."""
    text = wire.schema_text("TokenDelta")
    assert '"logicalType": "timestamp-micros"' in text
    assert '{"type":"long"' not in canonical.parsing_canonical_form(text)
