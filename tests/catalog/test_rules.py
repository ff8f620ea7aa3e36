"""One test per catalog rule (Backstage semantics); the golden test covers the same ground
against the real Backstage code."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from catalog import kinds, policies
from catalog.model import FileResult
from catalog.processing import process_file, resolve_conflicts
from catalog.refs import EntityRefError, canonical_ref, parse_entity_ref, refs_equal
from catalog.rules import is_valid_url

CASES = Path(__file__).parent / "data" / "backstage_cases"


def entity(
    kind: str = "Component", spec: dict[str, Any] | None = None, **meta: Any
) -> dict[str, Any]:
    api = "scaffolder.backstage.io/v1beta3" if kind == "Template" else "backstage.io/v1alpha1"
    base_spec = {"type": "service", "lifecycle": "production", "owner": "team-a"}
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "x", **meta},
        "spec": base_spec if spec is None else spec,
    }


def policy_error(e: dict[str, Any]) -> str | None:
    issue = policies.enforce_policies(copy.deepcopy(e))
    return None if issue is None else issue.message


# --- refs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "kind", "ns", "expected"),
    [
        ("team-a", "Group", "default", "group:default/team-a"),
        ("team-a", "Group", "ns1", "group:ns1/team-a"),
        ("user:Guest", "Group", "ns1", "user:ns1/guest"),
        ("other/team", "Group", "ns1", "group:other/team"),
        ("API:Third/Api-Three", "API", "ns1", "api:third/api-three"),
        ("a:b:c", "Group", None, "a:default/b:c"),
        ("ns/x/y", "System", None, "system:ns/x/y"),
        ("x/y:z", "System", None, "system:x/y:z"),
    ],
)
def test_parse_entity_ref(ref: str, kind: str, ns: str | None, expected: str) -> None:
    assert canonical_ref(ref, default_kind=kind, default_namespace=ns) == expected


@pytest.mark.parametrize(
    ("ref", "kind", "message"),
    [
        ("", "Group", "must not be empty"),
        ("group:", None, "was not on the form"),
        (":team", None, "was not on the form"),
        ("ns/", "Group", "was not on the form"),
        ("db", None, "had missing or empty kind"),
        (0, "Group", "must not be empty"),
        ([], None, "had missing or empty kind"),
    ],
)
def test_parse_entity_ref_errors(ref: Any, kind: str | None, message: str) -> None:
    with pytest.raises(EntityRefError, match=message):
        parse_entity_ref(ref, default_kind=kind)


def test_compound_ref_and_case_insensitive_compare() -> None:
    assert parse_entity_ref({"kind": "Component", "name": "Obj"}).canonical() == (
        "component:default/obj"
    )
    assert refs_equal("Component:Default/Foo", "component:default/foo")


# --- formats (FieldFormatEntityPolicy / makeValidator) ----------------------------------------


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a" * 63, True),
        ("a" * 64, False),
        ("x", True),
        ("Ab_c.D-e9", True),
        ("-a", False),
        ("a.", False),
        ("a b", False),
        ("café", False),
        ("abc\n", False),
    ],
)
def test_name_format(name: str, ok: bool) -> None:
    assert (policy_error(entity(name=name)) is None) is ok


@pytest.mark.parametrize(
    ("ns", "ok"),
    [
        ("n" * 63, True),
        ("n" * 64, False),
        ("a--b", True),
        ("Foo", False),
        ("a_b", False),
        ("-a", False),
    ],
)
def test_namespace_format(ns: str, ok: bool) -> None:
    assert (policy_error(entity(namespace=ns)) is None) is ok


@pytest.mark.parametrize(
    ("kind", "ok"), [("Component", True), ("K" * 63, True), ("K" * 64, False), ("1Comp", False)]
)
def test_kind_format(kind: str, ok: bool) -> None:
    e = entity()
    e["kind"] = kind
    assert (policy_error(e) is None) is ok


@pytest.mark.parametrize(
    ("api", "ok"),
    [
        ("backstage.io/v1alpha1", True),
        ("v1", True),
        ("a/b/c", False),
        ("Backstage.io/v1", False),
        ("x/" + "v" * 64, False),
    ],
)
def test_api_version_format(api: str, ok: bool) -> None:
    e = entity()
    e["apiVersion"] = api
    assert (policy_error(e) is None) is ok


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("java", True),
        ("a:b", True),
        ("c++", True),
        ("c#", True),
        ("t" * 63, True),
        ("t" * 64, False),
        ("Java", False),
        ("a--b", False),
        ("", False),
        (123, False),
    ],
)
def test_tag_format(tag: Any, ok: bool) -> None:
    assert (policy_error(entity(tags=[tag])) is None) is ok


@pytest.mark.parametrize(
    ("labels", "ok"),
    [
        ({"example.com/foo": "bar"}, True),
        ({"plain": ""}, True),
        ({"Example.com/foo": "x"}, False),
        ({"a/b/c": "x"}, False),
        ({"/foo": "x"}, False),
        ({"a": "v" * 64}, False),
        ({"a": "v" * 63}, True),
        ({"a": "two words"}, False),
        ({"a": 1}, False),
    ],
)
def test_label_format(labels: dict[str, Any], ok: bool) -> None:
    assert (policy_error(entity(labels=labels)) is None) is ok


@pytest.mark.parametrize(
    ("annotations", "ok"),
    [
        ({"backstage.io/techdocs-ref": "dir:."}, True),
        ({"a": ""}, True),
        ({"bad key": "x"}, False),
        ({"a": 1}, False),
        ({"a": True}, False),
    ],
)
def test_annotation_format(annotations: dict[str, Any], ok: bool) -> None:
    assert (policy_error(entity(annotations=annotations)) is None) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a b", True),
        ("http:foo", True),
        ("mailto:x@y.z", True),
        ("foo:bar", True),
        ("http://[::1]:8080/", True),
        ("http://1.2.3.4", True),
        ("example.com", False),
        ("http://", False),
        ("http://exa mple.com", False),
        ("http://a:99999", False),
        ("http://1.2.3.256", False),
        ("//foo", False),
    ],
)
def test_link_url(url: str, ok: bool) -> None:
    assert is_valid_url(url) is ok
    assert (policy_error(entity(links=[{"url": url}])) is None) is ok


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ({"title": "x"}, False),
        ({"url": "https://a.b", "title": ""}, False),
        ({"url": "https://a.b", "title": "   "}, False),
        ({"url": "https://a.b", "icon": "\u00a0"}, False),
        ({"url": "https://a.b", "type": " "}, True),
    ],
)
def test_link_fields(link: dict[str, Any], ok: bool) -> None:
    assert (policy_error(entity(links=[link])) is None) is ok


@pytest.mark.parametrize("field", ["relations", "status", "extra"])
def test_no_foreign_root_fields(field: str) -> None:
    e = entity()
    e[field] = [] if field == "relations" else {}
    assert policy_error(e) is not None


def test_default_namespace_applied() -> None:
    e = entity()
    assert policies.enforce_policies(e) is None
    assert e["metadata"]["namespace"] == "default"


# --- kinds -------------------------------------------------------------------------------------

VALID_SPECS: dict[str, dict[str, Any]] = {
    "Component": {"type": "service", "lifecycle": "production", "owner": "a"},
    "API": {"type": "openapi", "lifecycle": "production", "owner": "a", "definition": "x"},
    "Resource": {"type": "database", "owner": "a"},
    "System": {"owner": "a"},
    "Domain": {"owner": "a"},
    "Group": {"type": "team", "children": []},
    "User": {"memberOf": []},
    "Location": {},
    "Template": {"type": "service", "steps": []},
}


@pytest.mark.parametrize("kind", sorted(VALID_SPECS))
def test_kind_minimal_spec_is_valid(kind: str) -> None:
    e = entity(kind, dict(VALID_SPECS[kind]))
    assert kinds.check_kind(e, "r") == []


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, spec in sorted(VALID_SPECS.items()) for f in spec]
)
def test_kind_required_field(kind: str, field: str) -> None:
    spec = dict(VALID_SPECS[kind])
    del spec[field]
    assert kinds.check_kind(entity(kind, spec), "r")


@pytest.mark.parametrize(
    ("kind", "api"),
    [
        ("component", "backstage.io/v1alpha1"),
        ("Widget", "backstage.io/v1alpha1"),
        ("Component", "backstage.io/v1"),
        ("Template", "backstage.io/v1beta2"),
    ],
)
def test_unrecognized_kind_or_api_version(kind: str, api: str) -> None:
    e = entity()
    e["kind"], e["apiVersion"] = kind, api
    assert "No processor recognized" in kinds.check_kind(e, "r")[0].message


def test_spec_required_and_field_types() -> None:
    e = entity()
    del e["spec"]
    assert kinds.check_kind(e, "r")
    assert kinds.check_kind(entity(spec={**VALID_SPECS["Component"], "owner": 42}), "r")
    assert kinds.check_kind(entity(spec={**VALID_SPECS["Component"], "providesApis": "x"}), "r")


def test_location_rules() -> None:
    assert kinds.check_kind(entity("Location", {"presence": "maybe"}), "r")
    assert kinds.check_kind(entity("Location", {"type": "github", "target": "x"}), "r")
    assert kinds.check_kind(entity("Location", {"type": "file", "target": "./dir/"}), "r")
    assert kinds.check_kind(entity("Location", {"type": "url", "target": "https://x/"}), "r") == []


# --- processing: read stage, validation, relations ------------------------------------------------


def run(tmp_path: Path, text: str | bytes, name: str = "c.yaml") -> FileResult:
    path = tmp_path / name
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(data)
    return process_file(data, path=path, roots=[tmp_path])


COMPONENT = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: team-a
"""


def test_non_utf8_is_accepted_with_a_warning_naming_the_line(tmp_path: Path) -> None:
    result = run(tmp_path, COMPONENT.format(name="a").encode() + b"  note: caf\xe9\n")
    assert result.ok and [e.ref for e in result.entities] == ["component:default/a"]
    assert [w.line for w in result.warnings] == [9]


@pytest.mark.parametrize(
    "bad",
    [
        "kind: Component\nmetadata: {name: x}\n",
        "- a\n",
        "just a string\n",
        "apiVersion: v1\nkind: X\nmetadata: {name: 1}\n",
        "apiVersion: v1\nkind: X\nmetadata: {name: x, namespace: ''}\n",
        "apiVersion: v1\nkind: X\nmetadata: {name: x, annotations: nope}\n",
        "a: 1\na: 2\n",
        "metadata: {name: [unclosed\n",
    ],
)
def test_read_stage_rejects_whole_file(tmp_path: Path, bad: str) -> None:
    result = run(tmp_path, COMPONENT.format(name="good") + "---\n" + bad)
    assert result.errors and result.entities == [] and not result.ok
    assert all(p.line is not None for p in result.errors)


def test_null_documents_skipped_and_null_annotations_ok(tmp_path: Path) -> None:
    text = "---\n---\n" + COMPONENT.format(name="a").replace("spec:", "  annotations:\nspec:")
    result = run(tmp_path, text + "---\n~\n")
    assert result.ok and [e.ref for e in result.entities] == ["component:default/a"]


def test_validation_error_keeps_other_documents(tmp_path: Path) -> None:
    text = COMPONENT.format(name="good") + "---\n" + COMPONENT.format(name="-bad")
    result = run(tmp_path, text)
    assert not result.ok and not result.errors
    good, bad = result.entities
    assert good.accepted and not bad.accepted
    assert bad.errors[0].line == 13 and bad.errors[0].field == "metadata.name"
    assert bad.ref == "component:default/-bad" and bad.line in (9, 10)


RELATION_CASES = [
    ("Component", {"owner": "Team"}, ("ownedBy", "group:ns1/team"), ("ownerOf",)),
    ("Component", {"subcomponentOf": "p"}, ("partOf", "component:ns1/p"), ("hasPart",)),
    ("Component", {"providesApis": ["a"]}, ("providesApi", "api:ns1/a"), ("apiProvidedBy",)),
    ("Component", {"consumesApis": ["o/a"]}, ("consumesApi", "api:o/a"), ("apiConsumedBy",)),
    (
        "Component",
        {"dependsOn": ["resource:db"]},
        ("dependsOn", "resource:ns1/db"),
        ("dependencyOf",),
    ),
    (
        "Component",
        {"dependencyOf": "component:u"},
        ("dependencyOf", "component:ns1/u"),
        ("dependsOn",),
    ),
    ("Component", {"system": "s"}, ("partOf", "system:ns1/s"), ("hasPart",)),
    ("API", {"system": "s"}, ("partOf", "system:ns1/s"), ("hasPart",)),
    (
        "Resource",
        {"dependsOn": ["component:c"]},
        ("dependsOn", "component:ns1/c"),
        ("dependencyOf",),
    ),
    ("System", {"domain": "d"}, ("partOf", "domain:ns1/d"), ("hasPart",)),
    ("Domain", {"subdomainOf": "d"}, ("partOf", "domain:ns1/d"), ("hasPart",)),
    ("Group", {"parent": "p"}, ("childOf", "group:ns1/p"), ("parentOf",)),
    ("Group", {"children": ["c"]}, ("parentOf", "group:ns1/c"), ("childOf",)),
    ("Group", {"members": ["u"]}, ("hasMember", "user:ns1/u"), ("memberOf",)),
    ("User", {"memberOf": ["g"]}, ("memberOf", "group:ns1/g"), ("hasMember",)),
    ("Template", {"owner": "user:guest"}, ("ownedBy", "user:ns1/guest"), ("ownerOf",)),
]


@pytest.mark.parametrize(("kind", "extra", "forward", "reverse"), RELATION_CASES)
def test_relation_field(
    tmp_path: Path, kind: str, extra: dict[str, Any], forward: tuple[str, str], reverse: tuple[str]
) -> None:
    import json

    e = entity(kind, {**VALID_SPECS[kind], **extra}, namespace="ns1")
    result = run(tmp_path, json.dumps(e))
    (processed,) = result.entities
    assert processed.accepted, processed.errors
    me = processed.ref
    assert (me, forward[0], forward[1]) in processed.relations
    assert (forward[1], reverse[0], me) in processed.relations


def test_ref_without_kind_where_no_default_is_an_error(tmp_path: Path) -> None:
    import json

    e = entity(spec={**VALID_SPECS["Component"], "dependsOn": ["db"]})
    (processed,) = run(tmp_path, json.dumps(e)).entities
    assert not processed.accepted and processed.relations == []
    assert processed.errors[0].field == "spec.dependsOn[0]"


# --- placeholders ---------------------------------------------------------------------------------


def placeholder(tmp_path: Path, value: Any, *, hosts: frozenset[str] = frozenset()) -> FileResult:
    import json

    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "d.txt").write_text("hello\n")
    (tmp_path / "data" / "o.json").write_text('{"a": [1]}')
    (tmp_path / "data" / "o.yml.txt").write_text("a: yes\n")
    (tmp_path / "data" / "two.txt").write_text("a: 1\n---\nb: 2\n")
    e = entity(spec={**VALID_SPECS["Component"], "extra": value})
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(e))
    return process_file(path.read_bytes(), path=path, roots=[tmp_path], allowed_hosts=hosts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"$text": "./data/d.txt"}, "hello\n"),
        ({"$json": "data/o.json"}, {"a": [1]}),
        ({"$yaml": "./data/o.yml.txt"}, {"a": "yes"}),
        ({"$text": "./data/d.txt", "other": 1}, {"$text": "./data/d.txt", "other": 1}),
        ({"$foo": "bar"}, {"$foo": "bar"}),
        ([{"$text": "./data/d.txt"}], ["hello\n"]),
    ],
)
def test_placeholder_resolves(tmp_path: Path, value: Any, expected: Any) -> None:
    (processed,) = placeholder(tmp_path, value).entities
    assert processed.accepted, processed.errors
    assert processed.entity["spec"]["extra"] == expected


@pytest.mark.parametrize(
    "value",
    [
        {"$text": ["a"]},
        {"$text": "/etc/hostname"},
        {"$text": "../outside.txt"},
        {"$text": "./data/nope.txt"},
        {"$json": "./data/d.txt"},
        {"$yaml": "./data/two.txt"},
        {"$text": "./data/link.txt"},
    ],
)
def test_placeholder_errors(tmp_path: Path, value: Any) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (root / "data").mkdir()
    (root / "data" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (processed,) = placeholder(root, value).entities
    assert not processed.accepted and processed.errors[0].field == "spec.extra"


def test_placeholder_url_kept_with_warning(tmp_path: Path) -> None:
    result = placeholder(tmp_path, {"$text": "https://example.com/x"})
    (processed,) = result.entities
    assert processed.accepted and processed.entity["spec"]["extra"] == "https://example.com/x"
    assert result.warnings and processed.warnings


def test_placeholder_url_from_allowed_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog import placeholders

    monkeypatch.setattr(placeholders, "fetch_with_httpx", lambda url: b"body")
    result = placeholder(
        tmp_path, {"$text": "https://example.com/x"}, hosts=frozenset({"example.com"})
    )
    assert result.entities[0].entity["spec"]["extra"] == "body"


# --- conflicts ----------------------------------------------------------------------------------


def test_conflicts_first_claimant_wins_even_when_invalid(tmp_path: Path) -> None:
    ok = run(tmp_path, COMPONENT.format(name="dup"), "a.yaml")
    bad = run(tmp_path, COMPONENT.format(name="DUP").replace("  owner: team-a\n", ""), "b.yaml")
    other = run(tmp_path, COMPONENT.format(name="Dup"), "c.yaml")
    accepted, conflicts = resolve_conflicts([("c.yaml", other), ("B.yaml", bad), ("a.yaml", ok)])
    # Code-point order: "B.yaml" < "a.yaml" < "c.yaml"; B claims the ref but is invalid.
    assert accepted == {}
    assert conflicts == [
        ("component:default/dup", "B.yaml", "a.yaml"),
        ("component:default/dup", "B.yaml", "c.yaml"),
    ]


def test_same_ref_twice_in_one_file_last_wins(tmp_path: Path) -> None:
    text = (
        COMPONENT.format(name="d").replace("  owner: team-a\n", "")
        + "---\n"
        + COMPONENT.format(name="d")
    )
    accepted, conflicts = resolve_conflicts([("x.yaml", run(tmp_path, text))])
    assert list(accepted) == ["component:default/d"] and conflicts == []


# --- the fast paths agree with the full checks -------------------------------------------------


def test_fast_paths_are_sound() -> None:
    from catalog.yaml12 import load_all

    checked = 0
    for file in sorted(CASES.rglob("*.yaml")):
        try:
            docs = load_all(file.read_bytes().decode("utf-8"))
        except Exception:
            continue
        for doc in docs:
            e = doc.value
            if not isinstance(e, dict) or not isinstance(e.get("metadata"), dict):
                continue
            if policies.policies_pass_fast(copy.deepcopy(e)):
                checked += 1
                assert policies.check_entity_schema(e) is None
                slow = copy.deepcopy(e)
                policies.apply_default_namespace(slow)
                assert policies.check_field_formats(slow) is None
    assert checked > 50
