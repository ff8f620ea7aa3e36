"""catalog.yaml12 must read YAML exactly as Backstage's yaml v2 does.

Most expectations come from tests/catalog/data/yaml12_cases.json, which the real npm `yaml`
package produced (see tests/oracle/yaml_cases.mjs for how to regenerate it). The few places
where we knowingly differ are listed in DEVIATIONS with what we do instead.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import CatalogError, YamlError
from catalog.yaml12 import MAX_DEPTH, YamlDocument, load_all

GOLDEN = json.loads((Path(__file__).parent / "data" / "yaml12_cases.json").read_text("utf-8"))
CASES = {case["name"]: case for case in GOLDEN["cases"]}

# name -> why we raise YamlError where yaml v2 returns a value (see catalog/yaml12.py).
DEVIATIONS_RAISE = {
    "set on a map": "!!set gives a JS Set, not JSON",
    "omap": "!!omap gives a JS Map, not JSON",
    "pairs": "!!pairs is refused",
    "explicit merge tag": "!!merge is refused",
    "collection key": "collection keys are refused",
    "map key": "collection keys are refused",
    "control character": "libyaml refuses control characters",
    "recursive alias": "yaml v2 builds a cyclic object; we refuse",
    "empty key": "libyaml needs '?' before an empty implicit key",
}
# name -> our documents' values where they differ from yaml v2's.
DEVIATIONS_VALUE: dict[str, list[Any]] = {
    # libyaml skips a byte order mark at the start of any line; yaml v2 keeps it in the key.
    "BOM before second document": [{"a": 1}, {"b": 2}],
    # "..." at the very start, then a bare document: yaml v2 also gives an empty document first.
    "document end at start then content": [{"a": 1}],
    # The empty document sits on the first "..." here (it becomes "---"), on the second in yaml v2.
    "document end twice then content": [{"a": 1}, None, {"b": 2}],
}
# Syntax errors where libyaml reports another line than yaml v2 does.
DEVIATIONS_ERROR_LINE: dict[str, int | None] = {
    "dup key empty and null": 1,  # libyaml needs '?' before an empty implicit key
    "unknown directive without document start": 1,  # libyaml: the directive; yaml v2: no "---"
}

_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def _js_key_order(keys: list[str]) -> list[str]:
    """JavaScript lists integer-like property names first, ascending; we keep YAML order."""
    index = [k for k in keys if _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1]
    return sorted(index, key=int) + [k for k in keys if k not in index]


def _canon(value: Any) -> Any:
    """Our value in a form that compares like JavaScript values (True is not 1, NaN is NaN)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        if value != value:
            return ("nan",)
        return ("num", float(value) if abs(value) < 2**1024 else math.copysign(math.inf, value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list):
        return ("list", [_canon(v) for v in value])
    assert isinstance(value, dict)
    assert all(isinstance(k, str) for k in value)
    return ("obj", [(k, _canon(value[k])) for k in _js_key_order(list(value))])


def _canon_golden(value: Any) -> Any:
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", float(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list):
        return ("list", [_canon_golden(v) for v in value])
    if "$object" in value:
        return ("obj", [(k, _canon_golden(v)) for k, v in value["$object"]])
    if "$float" in value:
        return ("nan",) if value["$float"] == "nan" else ("num", float(value["$float"]))
    if "$bigint" in value:
        return ("num", float(value["$bigint"]))
    raise AssertionError(f"unexpected golden value {value!r}")


def _has_unsupported(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_unsupported(v) for v in value)
    if isinstance(value, dict):
        if "$unsupported" in value:
            return True
        return any(_has_unsupported(v) for v in value.values())
    return False


def test_golden_file_is_from_yaml_v2() -> None:
    assert GOLDEN["yaml_version"].startswith("2.")
    assert len(CASES) == len(GOLDEN["cases"]), "case names must be unique"


@pytest.mark.parametrize("name", list(CASES))
def test_matches_yaml_v2(name: str) -> None:
    case = CASES[name]
    text: str = case["yaml"]
    docs: list[dict[str, Any]] = case["docs"]
    failing = [d for d in docs if "error" in d or "throws" in d]
    unsupported = any(_has_unsupported(d.get("value")) for d in docs)

    if name in DEVIATIONS_RAISE:
        assert unsupported or not failing, "deviation no longer needed? update the list"
        with pytest.raises(YamlError) as raised:
            load_all(text)
        assert raised.value.line is not None
        return
    assert not unsupported, f"yaml v2 gives a non-JSON value: add {name!r} to DEVIATIONS_RAISE"

    if failing:
        with pytest.raises(YamlError) as raised:
            load_all(text)
        first = failing[0]
        if name in DEVIATIONS_ERROR_LINE:
            assert raised.value.line == DEVIATIONS_ERROR_LINE[name]
        elif first.get("error_line") is not None:
            assert raised.value.line == first["error_line"], first["error"]
        return

    ours = load_all(text)
    if name in DEVIATIONS_VALUE:
        assert [d.value for d in ours] == DEVIATIONS_VALUE[name]
        return
    assert [_canon(d.value) for d in ours] == [_canon_golden(d["value"]) for d in docs]
    assert [d.line for d in ours] == [d["line"] for d in docs]


# --- the rules, spelled out ---------------------------------------------------------------


def _one(text: str) -> Any:
    (doc,) = load_all(text)
    return doc.value


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("true", True), ("True", True), ("TRUE", True), ("tRUE", "tRUE"),
        ("false", False), ("yes", "yes"), ("on", "on"), ("no", "no"), ("off", "off"),
        ("null", None), ("~", None), ("", None), ("NULL", None), ("nil", "nil"),
        ("12", 12), ("-12", -12), ("+12", 12), ("0o17", 15), ("0x1F", 31), ("017", 17),
        ("1_000", "1_000"), ("0b11", "0b11"), ("1:30", "1:30"), ("-0x1", "-0x1"),
        ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("1.", 1.0), (".inf", math.inf),
        ("-.Inf", -math.inf), ("2001-12-14", "2001-12-14"),
        ("12345678901234567890", 12345678901234567890),
    ],
)  # fmt: skip
def test_core_schema_plain_scalars(plain: str, expected: Any) -> None:
    value = _one(f"v: {plain}\n")["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_nan() -> None:
    assert math.isnan(_one("v: .nan\n")["v"])
    assert _one("v: -.nan\n")["v"] == "-.nan"


def test_merge_key_is_a_literal_key() -> None:
    assert _one("b: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n")["m"] == {"<<": {"x": 1}, "y": 2}


def test_non_string_keys_become_javascript_property_names() -> None:
    assert _one("1: a\ntrue: c\n~: d\n.inf: e\n1e21: f\n0.1: g\n1e-7: h\n") == {
        "1": "a", "true": "c", "": "d", "Infinity": "e", "1e+21": "f", "0.1": "g", "1e-7": "h",
    }  # fmt: skip


def test_key_collision_across_types_overwrites_in_place() -> None:
    assert _one('{1: a, x: y, "1": b}') == {"1": "b", "x": "y"}


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "a"),
        ("metadata:\n  name: x\n  labels:\n    a: 1\n    b: 2\n    a: 3\n", 6, "a"),
        ("x: {p: 1,\n  p: 2}\n", 2, "p"),
        ("1: a\n0o1: b\n", 2, "1"),
        ("true: a\nTrue: b\n", 2, "true"),
    ],
)
def test_duplicate_keys(text: str, line: int, key: str) -> None:
    with pytest.raises(YamlError) as raised:
        load_all(text)
    assert raised.value.line == line
    assert repr(key) in raised.value.message
    assert "unique" in raised.value.message


def test_error_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError):
        load_all("a: [\n")


def test_syntax_error_message_and_line() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a: 1\nb: c: d\n")
    assert raised.value.line == 2
    assert "mapping values are not allowed in this context" in raised.value.message


def test_tab_indentation_is_an_error() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a:\n\tb: 1\n")
    assert raised.value.line == 2


def test_bom_is_skipped() -> None:
    assert load_all("\ufeffa: 1\n") == [YamlDocument({"a": 1}, 1)]


def test_documents_and_lines() -> None:
    docs = load_all("# c\na: 1\n---\n\nb: [1]\n---\n")
    assert [(d.value, d.line) for d in docs] == [({"a": 1}, 2), ({"b": [1]}, 5), (None, 6)]
    assert load_all("") == []
    assert load_all("# only a comment\n") == []


def test_scalar_and_list_documents_are_returned() -> None:
    assert [d.value for d in load_all("--- 1\n--- [a]\n--- x\n")] == [1, ["a"], "x"]


def test_field_lines() -> None:
    text = (
        "apiVersion: backstage.io/v1alpha1\n"  # 1
        "kind: Component\n"  # 2
        "metadata:\n"  # 3
        "  name: payments\n"  # 4
        "  tags: [a,\n"  # 5
        "    b]\n"  # 6
        "spec:\n"  # 7
        "  dependsOn:\n"  # 8
        "    - resource:db\n"  # 9
        "    - target: x\n"  # 10
        "      deep:\n"  # 11
        "        deeper: {k: v}\n"  # 12
    )
    (doc,) = load_all(text)
    assert doc.field_lines == {
        (): 1,
        ("apiVersion",): 1,
        ("kind",): 2,
        ("metadata",): 3,
        ("metadata", "name"): 4,
        ("metadata", "tags"): 5,
        ("metadata", "tags", 0): 5,
        ("metadata", "tags", 1): 6,
        ("spec",): 7,
        ("spec", "dependsOn"): 8,
        ("spec", "dependsOn", 0): 9,
        ("spec", "dependsOn", 1): 10,
        ("spec", "dependsOn", 1, "target"): 10,
        ("spec", "dependsOn", 1, "deep"): 11,
        ("spec", "dependsOn", 1, "deep", "deeper"): 12,
        ("spec", "dependsOn", 1, "deep", "deeper", "k"): 12,
    }


def test_field_lines_per_document_and_for_aliases() -> None:
    first, second = load_all("a: &x {k: v}\nb: *x\n---\nc:\n  - 1\n")
    assert first.field_lines == {(): 1, ("a",): 1, ("a", "k"): 1, ("b",): 2}
    assert second.field_lines == {(): 4, ("c",): 4, ("c", 0): 5}


# --- aliases --------------------------------------------------------------------------------


def _uses(n: int, anchor: str = "1") -> str:
    return f"a: &x {anchor}\nb:\n" + "".join("  - *x\n" for _ in range(n))


def test_alias_arithmetic_matches_yaml_v2() -> None:
    # count starts at 1 for the anchor itself and aliasCount is 1 for a scalar or a map of
    # scalars; yaml v2 fails once count * aliasCount > 100, i.e. on the 100th alias.
    assert len(_one(_uses(99))["b"]) == 99
    with pytest.raises(YamlError) as raised:
        load_all(_uses(100))
    assert raised.value.line == 2 + 100  # the line of the offending alias
    assert "alias" in raised.value.message
    assert len(_one(_uses(99, "{k: v}"))["b"]) == 99
    with pytest.raises(YamlError):
        load_all(_uses(100, "{k: v}"))
    # Empty collections contribute 0: never over the limit.
    assert len(_one(_uses(500, "[]"))["b"]) == 500


def test_max_alias_count_option() -> None:
    assert len(_one(_uses(2))["b"]) == 2
    with pytest.raises(YamlError):
        load_all(_uses(3), max_alias_count=3)  # the 3rd alias makes count 4 > 3
    (doc,) = load_all(_uses(200), max_alias_count=-1)
    assert len(doc.value["b"]) == 200
    with pytest.raises(YamlError) as raised:
        load_all(_uses(1), max_alias_count=0)
    assert raised.value.line == 3


def test_aliases_share_the_value_and_anchors_can_be_redefined() -> None:
    value = _one("a: &x {k: v}\nb: *x\nc: &x 2\nd: *x\n")
    assert value == {"a": {"k": "v"}, "b": {"k": "v"}, "c": 2, "d": 2}
    assert value["a"] is value["b"]  # as in JavaScript


def test_undefined_and_recursive_aliases() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a: 1\nb: *nope\n")
    assert raised.value.line == 2
    with pytest.raises(YamlError) as raised:
        load_all("a: &x\n  - 1\n  - *x\n")
    assert raised.value.line == 3


def test_billion_laughs_is_rejected_quickly() -> None:
    text = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in range(1, 30):
        text += f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]\n"
    started = time.perf_counter()
    with pytest.raises(YamlError) as raised:
        load_all(text)
    assert time.perf_counter() - started < 0.5
    assert raised.value.line == 3  # yaml v2's arithmetic trips on the 2nd level


# --- odd inputs -----------------------------------------------------------------------------


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert raised.value.line == 1


def test_deep_nesting_names_the_line_where_the_limit_was_crossed() -> None:
    text = "x: 1\n" + "\n".join(" " * i + "k:" for i in range(1000)) + " 1\n"
    with pytest.raises(YamlError) as raised:
        load_all(text)
    assert raised.value.line == 2 + MAX_DEPTH
    assert "nested too deeply" in raised.value.message


def test_unpaired_surrogate() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a: 1\nb: \ud800\n")
    assert raised.value.line == 2


def test_control_character_line() -> None:
    with pytest.raises(YamlError) as raised:
        load_all("a: é\nb: x\x07\n")
    assert raised.value.line == 2


def test_yaml_1_1_line_breaks_are_ordinary_characters() -> None:
    (doc,) = load_all('a: x\x85y\nb:\n  - "p\u2028q"\n  - r\u2029\nc: 1\n')
    assert doc.value == {"a": "x\x85y", "b": ["p\u2028q", "r\u2029"], "c": 1}
    assert doc.field_lines[("c",)] == 5
    (doc,) = load_all("k\u2028: &x [v\x85]\nl: *x\n")
    assert doc.value == {"k\u2028": ["v\x85"], "l": ["v\x85"]}
    assert doc.value["k\u2028"] is doc.value["l"]
    assert doc.field_lines[("k\u2028", 0)] == 1


def test_yaml_version_directives() -> None:
    assert _one("%YAML 1.2\n---\na: yes\n") == {"a": "yes"}
    # Issue 14.1: a %YAML 1.1 document is read with yaml v2's 1.1 schema, not refused.
    assert _one("%YAML 1.1\n---\na: yes\nb: 2001-12-14\n") == {
        "a": True,
        "b": "2001-12-14T00:00:00.000Z",
    }


def test_explicit_tags() -> None:
    assert _one('a: !!int "12"\nb: !!str 12\nc: !foo bar\nd: !!float 1\ne: ! 12\n') == {
        "a": 12, "b": "12", "c": "bar", "d": "1", "e": "12",
    }  # fmt: skip
    assert _one("t: !!timestamp 2001-12-14 21:59:43.10 -5\n") == {"t": "2001-12-15T02:59:43.100Z"}
    assert _one("b: !!binary aGk=\n") == {"b": {"type": "Buffer", "data": [104, 105]}}
    with pytest.raises(YamlError) as raised:
        load_all("a: 1\nb: !!timestamp later\n")
    assert raised.value.line == 2
    with pytest.raises(YamlError, match="!!set"):
        load_all("a: !!set {x, y}\n")
