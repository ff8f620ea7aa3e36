"""The catalog backend's default entity policies, in Backstage's order.

``SchemaValidEntityPolicy`` (``Entity``/``EntityMeta`` JSON schemas),
``DefaultNamespaceEntityPolicy``, ``NoForeignRootFieldsEntityPolicy`` and
``FieldFormatEntityPolicy`` with ``makeValidator()``'s ``KubernetesValidatorFunctions``.
Backstage stops at the first failing policy; so does this.
Hand-written with precompiled regexes: no schema library per entity.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from catalog.refs import DEFAULT_NAMESPACE, js_falsy
from catalog.rules import FieldPath, Issue, is_non_empty_string, is_valid_url

# --- KubernetesValidatorFunctions / CommonValidatorFunctions ---------------------------------

_DNS_LABEL = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_OBJECT_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_KIND = re.compile(r"[a-zA-Z][a-z0-9A-Z]*")
_API_VERSION_SUFFIX = re.compile(r"[a-z0-9A-Z]+")
_TAG = re.compile(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")
# JSON-schema "^.+$" as JavaScript reads it: "." excludes line terminators.
_JS_DOT_PLUS = re.compile(r"[^\n\r\u2028\u2029]+")

Validator = Callable[[Any], bool]


def is_valid_dns_label(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_DNS_LABEL.fullmatch(value))


def is_valid_dns_subdomain(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 253
        and all(is_valid_dns_label(part) for part in value.split("."))
    )


def _prefix_and_or_suffix(value: Any, prefix_ok: Validator, suffix_ok: Validator) -> bool:
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) == 1:
        return suffix_ok(parts[0])
    if len(parts) == 2:
        return prefix_ok(parts[0]) and suffix_ok(parts[1])
    return False


def is_valid_object_name(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_OBJECT_NAME.fullmatch(value))


def _api_version_suffix(value: str) -> bool:
    return 1 <= len(value) <= 63 and bool(_API_VERSION_SUFFIX.fullmatch(value))


def is_valid_api_version(value: Any) -> bool:
    return _prefix_and_or_suffix(value, is_valid_dns_subdomain, _api_version_suffix)


def is_valid_kind(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_KIND.fullmatch(value))


def is_valid_namespace(value: Any) -> bool:
    return is_valid_dns_label(value)


def is_valid_label_key(value: Any) -> bool:
    return _prefix_and_or_suffix(value, is_valid_dns_subdomain, is_valid_object_name)


def is_valid_label_value(value: Any) -> bool:
    return value == "" or is_valid_object_name(value)


is_valid_annotation_key = is_valid_label_key


def is_valid_annotation_value(value: Any) -> bool:
    return isinstance(value, str)


def is_valid_tag(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_TAG.fullmatch(value))


_EXPECTATIONS: dict[Validator, str] = {
    is_valid_label_value: "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], "
    "at most 63 characters in total",
    is_valid_object_name: "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], "
    "at most 63 characters in total",
    is_valid_label_key: "a valid prefix and/or suffix",
    is_valid_api_version: "a valid prefix and/or suffix",
    is_valid_namespace: "a string that is sequences of [a-z0-9] separated by [-], "
    "at most 63 characters in total",
    is_valid_tag: "a string that is sequences of [a-z0-9+#] separated by [-], "
    "at most 63 characters in total",
    is_valid_annotation_value: "a string",
    is_valid_kind: "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], "
    "at most 63 characters in total",
    is_valid_url: "a string that is a valid url",
    is_non_empty_string: "a non empty string",
}


# --- SchemaValidEntityPolicy -------------------------------------------------------------------

_ROOT_ALLOWED = frozenset({"apiVersion", "kind", "metadata", "spec", "relations", "status"})
_ROOT_KNOWN = ("apiVersion", "kind", "metadata", "spec")
_META_MIN1 = ("uid", "etag", "name", "namespace", "title")
_LINK_FIELDS = ("url", "title", "icon", "type")
_STATUS_LEVELS = frozenset({"info", "warning", "error"})
_RELATION_TYPE = re.compile(r"[A-Za-z0-9_]+")


def _schema(message: str, path: FieldPath) -> Issue:
    where = "/" + "/".join(str(p) for p in path) if path else "<root>"
    return Issue(f"Malformed envelope, {where} {message}", path)


def _need_string(value: Any, path: FieldPath, min_length: int = 0) -> Issue | None:
    if not isinstance(value, str):
        return _schema("must be string", path)
    if len(value) < min_length:
        return _schema(f"must NOT have fewer than {min_length} characters", path)
    return None


def _string_map(value: Any, path: FieldPath) -> Issue | None:
    if not isinstance(value, dict):
        return _schema("must be object", path)
    for key, item in value.items():
        if isinstance(key, str) and _JS_DOT_PLUS.fullmatch(key) and not isinstance(item, str):
            return _schema("must be string", (*path, key))
    return None


def _check_meta(meta: Any) -> Issue | None:
    path: FieldPath = ("metadata",)
    if not isinstance(meta, dict):
        return _schema("must be object", path)
    if "name" not in meta:
        return _schema("must have required property 'name'", path)
    for key in _META_MIN1:
        if key in meta and (issue := _need_string(meta[key], (*path, key), 1)):
            return issue
    if "description" in meta and (
        issue := _need_string(meta["description"], (*path, "description"))
    ):
        return issue
    for key in ("labels", "annotations"):
        if key in meta and (issue := _string_map(meta[key], (*path, key))):
            return issue
    if "tags" in meta:
        tags = meta["tags"]
        if not isinstance(tags, list):
            return _schema("must be array", (*path, "tags"))
        for i, tag in enumerate(tags):
            if issue := _need_string(tag, (*path, "tags", i), 1):
                return issue
    if "links" in meta:
        links = meta["links"]
        if not isinstance(links, list):
            return _schema("must be array", (*path, "links"))
        for i, link in enumerate(links):
            where: FieldPath = (*path, "links", i)
            if not isinstance(link, dict):
                return _schema("must be object", where)
            if "url" not in link:
                return _schema("must have required property 'url'", where)
            for key in _LINK_FIELDS:
                if key in link and (issue := _need_string(link[key], (*where, key), 1)):
                    return issue
    return None


def _check_relations(relations: Any) -> Issue | None:
    if not isinstance(relations, list):
        return _schema("must be array", ("relations",))
    for i, rel in enumerate(relations):
        where: FieldPath = ("relations", i)
        if not isinstance(rel, dict):
            return _schema("must be object", where)
        for key in ("type", "targetRef"):
            if key not in rel:
                return _schema(f"must have required property '{key}'", where)
        if set(rel) - {"type", "target", "targetRef"}:
            return _schema("must NOT have additional properties", where)
        if issue := _need_string(rel["type"], (*where, "type"), 1):
            return issue
        if not _RELATION_TYPE.fullmatch(rel["type"]):
            return _schema('must match pattern "^\\w+$"', (*where, "type"))
        if issue := _need_string(rel["targetRef"], (*where, "targetRef"), 1):
            return issue
        if "target" in rel:
            target = rel["target"]
            if not isinstance(target, dict):
                return _schema("must be object", (*where, "target"))
            if set(target) - {"kind", "namespace", "name"}:
                return _schema("must NOT have additional properties", (*where, "target"))
            for key in ("kind", "namespace", "name"):
                if key not in target:
                    return _schema(f"must have required property '{key}'", (*where, "target"))
                if issue := _need_string(target[key], (*where, "target", key), 1):
                    return issue
    return None


def _check_status(status: Any) -> Issue | None:
    if not isinstance(status, dict):
        return _schema("must be object", ("status",))
    if "items" not in status:
        return None
    items = status["items"]
    if not isinstance(items, list):
        return _schema("must be array", ("status", "items"))
    for i, item in enumerate(items):
        where: FieldPath = ("status", "items", i)
        if not isinstance(item, dict):
            return _schema("must be object", where)
        for key in ("type", "level", "message"):
            if key not in item:
                return _schema(f"must have required property '{key}'", where)
        if issue := _need_string(item["type"], (*where, "type"), 1):
            return issue
        if item["level"] not in _STATUS_LEVELS or not isinstance(item["level"], str):
            return _schema("must be equal to one of the allowed values", (*where, "level"))
        if issue := _need_string(item["message"], (*where, "message")):
            return issue
        if "error" in item:
            err = item["error"]
            if not isinstance(err, dict):
                return _schema("must be object", (*where, "error"))
            for key in ("name", "message"):
                if key not in err:
                    return _schema(f"must have required property '{key}'", (*where, "error"))
            if issue := _need_string(err["name"], (*where, "error", "name"), 1):
                return issue
            for key in ("message", "code", "stack"):
                if key in err and (issue := _need_string(err[key], (*where, "error", key))):
                    return issue
    return None


def check_entity_schema(entity: dict[str, Any]) -> Issue | None:
    """``Entity.schema.json`` (used by SchemaValidEntityPolicy and again before kind checks)."""
    for key in ("apiVersion", "kind", "metadata"):
        if key not in entity:
            return _schema(f"must have required property '{key}'", ())
    for key in entity:
        if key not in _ROOT_ALLOWED:
            return _schema("must NOT have additional properties", (key,))
    for key in ("apiVersion", "kind"):
        if issue := _need_string(entity[key], (key,), 1):
            return issue
    if issue := _check_meta(entity["metadata"]):
        return issue
    if "spec" in entity and not isinstance(entity["spec"], dict):
        return _schema("must be object", ("spec",))
    if "relations" in entity and (issue := _check_relations(entity["relations"])):
        return issue
    if "status" in entity and (issue := _check_status(entity["status"])):
        return issue
    return None


# --- FieldFormatEntityPolicy -----------------------------------------------------------------

_ADR = (
    " To learn more about catalog file format, visit: https://github.com/backstage/backstage/"
    "blob/master/docs/architecture-decisions/adr002-default-catalog-file-format.md"
)


_cached: dict[Validator, Callable[[str], bool]] = {}


def _fast_ok(validator: Validator, value: Any) -> bool:
    """The validator's verdict, memoised for strings (names, keys and tags repeat a lot)."""
    if value.__class__ is not str:
        return False
    cached = _cached.get(validator)
    if cached is None:
        cached = _cached[validator] = functools.lru_cache(maxsize=65536)(validator)
    return cached(value)


def _require(field: str, value: Any, validator: Validator, path: FieldPath) -> Issue | None:
    if _fast_ok(validator, value):
        return None
    if value is None:
        return Issue(f"{field} must have a value", path)
    if validator(value):
        return None
    expectation = _EXPECTATIONS.get(validator)
    shown = value if isinstance(value, str) else str(value)
    message = f' expected {expectation} but found "{shown}".' if expectation else ""
    return Issue(f'"{field}" is not valid;{message}{_ADR}', path)


def check_field_formats(entity: dict[str, Any]) -> Issue | None:
    meta: dict[str, Any] = entity["metadata"]
    checks: list[tuple[str, Any, Validator, FieldPath]] = [
        ("apiVersion", entity["apiVersion"], is_valid_api_version, ("apiVersion",)),
        ("kind", entity["kind"], is_valid_kind, ("kind",)),
        ("metadata.name", meta.get("name"), is_valid_object_name, ("metadata", "name")),
    ]
    for field, value, validator, path in checks:
        if issue := _require(field, value, validator, path):
            return issue
    if "namespace" in meta and (
        issue := _require(
            "metadata.namespace", meta["namespace"], is_valid_namespace, ("metadata", "namespace")
        )
    ):
        return issue
    for key, validate_key, validate_value in (
        ("labels", is_valid_label_key, is_valid_label_value),
        ("annotations", is_valid_annotation_key, is_valid_annotation_value),
    ):
        mapping = meta.get(key)
        if not isinstance(mapping, dict):
            continue
        for k, v in mapping.items():
            where: FieldPath = ("metadata", key, k)
            if issue := _require(f"{key}.{k}", k, validate_key, where):
                return issue
            if issue := _require(f"{key}.{k}", v, validate_value, where):
                return issue
    tags = meta.get("tags")
    if isinstance(tags, list):
        for i, tag in enumerate(tags):
            if issue := _require(f"tags.{i}", tag, is_valid_tag, ("metadata", "tags", i)):
                return issue
    links = meta.get("links")
    if isinstance(links, list):
        for i, link in enumerate(links):
            item: dict[str, Any] = link if isinstance(link, dict) else {}
            where = ("metadata", "links", i)
            if issue := _require(f"links.{i}.url", item.get("url"), is_valid_url, (*where, "url")):
                return issue
            for key in ("title", "icon"):
                if key in item and (
                    issue := _require(
                        f"links.{i}.{key}", item[key], is_non_empty_string, (*where, key)
                    )
                ):
                    return issue
    return None


# --- The policy chain --------------------------------------------------------------------------


def apply_default_namespace(entity: dict[str, Any]) -> None:
    """DefaultNamespaceEntityPolicy: a missing/empty namespace becomes ``default``."""
    meta: dict[str, Any] = entity["metadata"]
    if js_falsy(meta.get("namespace")):
        meta["namespace"] = DEFAULT_NAMESPACE


def check_no_foreign_root_fields(entity: dict[str, Any]) -> Issue | None:
    for key in entity:
        if key not in _ROOT_KNOWN:
            return Issue(f"Unknown field {key}", (key,))
    return None


_c = functools.lru_cache(maxsize=65536)
_api_ok = _c(is_valid_api_version)
_kind_ok = _c(is_valid_kind)
_name_ok = _c(is_valid_object_name)
_ns_ok = _c(is_valid_namespace)
_label_key_ok = _c(is_valid_label_key)
_label_value_ok = _c(is_valid_label_value)
_tag_ok = _c(is_valid_tag)
_url_ok = _c(is_valid_url)
_ROOT_FAST = frozenset(_ROOT_KNOWN)


def _fast_string_map(value: Any, value_ok: Callable[[str], bool] | None) -> bool:
    if value.__class__ is not dict:
        return False
    for k, v in value.items():
        if k.__class__ is not str or v.__class__ is not str or not _label_key_ok(k):
            return False
        if value_ok is not None and not value_ok(v):
            return False
    return True


def _fast_links(links: Any) -> bool:
    if links.__class__ is not list:
        return False
    for link in links:
        if link.__class__ is not dict:
            return False
        url = link.get("url")
        if url.__class__ is not str or not url or not _url_ok(url):
            return False
        for key in ("title", "icon", "type"):
            if key in link:
                v = link[key]
                if (
                    v.__class__ is not str
                    or not v
                    or (key != "type" and not is_non_empty_string(v))
                ):
                    return False
    return True


def _fast_meta(meta: dict[str, Any]) -> bool:
    for key, value in meta.items():
        if key == "name":
            if value.__class__ is not str or not _name_ok(value):
                return False
        elif key == "namespace":
            if value.__class__ is not str or not _ns_ok(value):
                return False
        elif key in ("uid", "etag", "title"):
            if value.__class__ is not str or not value:
                return False
        elif key == "description":
            if value.__class__ is not str:
                return False
        elif key == "labels":
            if not _fast_string_map(value, _label_value_ok):
                return False
        elif key == "annotations":
            if not _fast_string_map(value, None):
                return False
        elif key == "tags":
            if value.__class__ is not list:
                return False
            for tag in value:
                if tag.__class__ is not str or not _tag_ok(tag):
                    return False
        elif key == "links" and not _fast_links(value):
            return False
    return "name" in meta


def policies_pass_fast(entity: dict[str, Any]) -> bool:
    """Sound shortcut: True only when every default policy passes (False means "look closer")."""
    for key in entity:
        if key not in _ROOT_FAST:
            return False
    api, kind, meta = entity.get("apiVersion"), entity.get("kind"), entity.get("metadata")
    if api.__class__ is not str or kind.__class__ is not str or meta.__class__ is not dict:
        return False
    if not (_api_ok(api) and _kind_ok(kind)):
        return False
    if "spec" in entity and entity["spec"].__class__ is not dict:
        return False
    return _fast_meta(meta)


def enforce_policies(entity: dict[str, Any]) -> Issue | None:
    """Run the default policy chain; mutates ``entity`` (namespace default) like Backstage."""
    if policies_pass_fast(entity):
        apply_default_namespace(entity)
        return None
    if issue := check_entity_schema(entity):
        return issue
    apply_default_namespace(entity)
    if issue := check_no_foreign_root_fields(entity):
        return issue
    return check_field_formats(entity)
