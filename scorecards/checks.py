"""Check types: parameter models and the ONE set-based query each evaluates.

Every check type compiles to a single SELECT over the scope table ``_sc_scope`` (the entities a
scorecard covers, materialised once per run) returning ``ref, state, evidence`` for every entity
in scope: pass | fail | unknown. ``unknown`` means the data the check needs is missing or its
source is stale (see ``CheckContext``). The engine turns fail/unknown into ``exempt`` where an
active exemption applies; ``dependencies_reach_level`` is evaluated by the engine itself, in
dependency order; ``sql`` runs the author's read-only query once, outside the run's transaction.

Parameters bind as query parameters (``$p_*``); the only text spliced into SQL is a JSON path
built from validated tokens and the author's ``sql`` query (checked to be one SELECT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from catalog.errors import QueryRefused
from catalog.store.readonly import check_readonly

Params = dict[str, Any]
SCOPE = "_sc_scope s"
IN_SCOPE = "s.scorecard = $scorecard"
_RELATION_TYPES = frozenset(
    {
        "dependsOn", "dependencyOf", "consumesApi", "apiConsumedBy", "providesApi",
        "apiProvidedBy", "partOf", "hasPart", "ownedBy", "ownerOf", "childOf", "parentOf",
        "memberOf", "hasMember",
    }
)  # fmt: skip
_regex_con: duckdb.DuckDBPyConnection | None = None


def _valid_regex(pattern: str) -> str:
    """DuckDB uses RE2: validate with DuckDB itself, so a run never fails on a bad pattern."""
    global _regex_con
    if _regex_con is None:
        _regex_con = duckdb.connect()
    try:
        _regex_con.execute("SELECT regexp_matches('', $p)", {"p": pattern}).fetchall()
    except duckdb.Error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern


def _valid_relations(relations: list[str]) -> list[str]:
    unknown = sorted(set(relations) - _RELATION_TYPES)
    if unknown:
        raise ValueError(f"unknown relation types {unknown} (known: {sorted(_RELATION_TYPES)})")
    return relations


@dataclass(frozen=True)
class SourceState:
    """Whether the sources of one kind have data, and if so whether it is fresh."""

    unknown_reason: str | None = None
    """Why results depending on these sources are unknown (None: data present and fresh)."""


@dataclass
class CheckContext:
    """What the engine knows before checks run: source freshness per source type, views."""

    source_states: dict[str, SourceState] = field(default_factory=dict)
    views: frozenset[str] = frozenset()
    paths: dict[str, int] = field(default_factory=dict)
    """JSON paths of the entity extracted once per scope into ``s.facts`` (1-based)."""

    def fact(self, path: str) -> str:
        """SQL for the JSON value at ``path`` (a DuckDB JSON path without wildcards) of the
        entity: the scope parses each entity document once for all checks."""
        if path not in self.paths:
            self.paths[path] = len(self.paths) + 1
        return f"s.facts[{self.paths[path]}]"

    def unknown_reason(self, *source_types: str, label: str) -> str | None:
        """None if any source of these types has fresh data; else why it is unknown."""
        states = [self.source_states.get(t) for t in source_types]
        present = [s for s in states if s is not None]
        if any(s.unknown_reason is None for s in present):
            return None
        if present:
            return "; ".join(s.unknown_reason for s in present if s.unknown_reason)
        return f"no {label} data: no {'/'.join(source_types)} source has run successfully"


def _all_unknown(reason: str) -> tuple[str, Params]:
    return (
        f"SELECT s.ref, 'unknown' AS state, $p_reason AS evidence FROM {SCOPE} WHERE {IN_SCOPE}",
        {"p_reason": reason},
    )


class CheckParamsBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        """The set-based SELECT ``ref, state, evidence`` over every entity in scope."""
        raise NotImplementedError


class HasOwner(CheckParamsBase):
    type: Literal["has_owner"]

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"SELECT s.ref, CASE WHEN s.owner IS NULL THEN 'fail' ELSE 'pass' END,"
            f" coalesce('owner ' || s.owner, 'spec.owner is missing') FROM {SCOPE}"
            f" WHERE {IN_SCOPE}",
            {},
        )


class OwnerIsKnownGroupWithMembers(CheckParamsBase):
    """The owner is a Group of the catalog with members that are User entities of the catalog
    (directly or through child groups); a listed member that is not (``user:left-the-company``)
    does not count and is named in the evidence."""

    type: Literal["owner_is_known_group_with_members"]

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"""
            WITH groups AS (SELECT DISTINCT ref FROM entities WHERE kind = 'group'),
            users AS (SELECT DISTINCT ref FROM entities WHERE kind = 'user'),
            members AS (
              SELECT gm.group_ref,
                count(DISTINCT gm.member) FILTER (WHERE u.ref IS NOT NULL) AS n,
                list(DISTINCT gm.member ORDER BY gm.member) FILTER (WHERE u.ref IS NULL)
                  AS unresolved
              FROM _group_members gm LEFT JOIN users u ON u.ref = gm.member
              GROUP BY gm.group_ref),
            r AS (
              SELECT s.ref, s.owner, g.ref AS grp, coalesce(m.n, 0) AS n,
                CASE WHEN len(m.unresolved) > 0
                     THEN ' (not in the catalog: ' || array_to_string(m.unresolved[1:5], ', ')
                          || CASE WHEN len(m.unresolved) > 5
                                  THEN ' and ' || (len(m.unresolved) - 5) || ' more' ELSE '' END
                          || ')'
                     ELSE '' END AS missing
              FROM {SCOPE} LEFT JOIN groups g ON g.ref = s.owner
              LEFT JOIN members m ON m.group_ref = s.owner
              WHERE {IN_SCOPE})
            SELECT ref,
              CASE WHEN grp IS NOT NULL AND n > 0 THEN 'pass' ELSE 'fail' END,
              CASE WHEN owner IS NULL THEN 'spec.owner is missing'
                   WHEN grp IS NULL THEN 'owner ' || owner || ' is not a known Group'
                   WHEN n = 0 AND missing <> '' THEN 'owner group ' || owner
                        || ' has no members that are Users of the catalog' || missing
                   WHEN n = 0 THEN 'owner group ' || owner
                        || ' has no members, directly or through child groups'
                   ELSE 'owner group ' || owner || ' has ' || n || ' members' || missing END
            FROM r""",
            {},
        )


_SERVICE_ID = "pagerduty.com/service-id"
_INTEGRATION_KEY = "pagerduty.com/integration-key"


def _scope_oncall(ctx: CheckContext) -> str:
    """SQL: the rows of the ``entity_oncall`` view (migration 4) for the entities in scope.

    The view maps every entity of the catalog to PagerDuty services by parsing each entity's
    annotations twice (``_pd_service_entities``: 0.3 CPU-s at L); here the two annotations come
    from the facts the scope parses once anyway. A ref that several sources define keeps the
    view's meaning: the annotations of each of its rows count, read from ``entities``."""
    service_id = ctx.fact(annotation_path(_SERVICE_ID))
    integration_key = ctx.fact(annotation_path(_INTEGRATION_KEY))
    return f"""
      duplicated AS (SELECT ref FROM entities GROUP BY ref HAVING count(*) > 1),
      pd_keys AS (
        SELECT s.ref, trim({service_id} ->> '$') AS service_id,
               trim({integration_key} ->> '$') AS integration_key
        FROM {SCOPE} WHERE {IN_SCOPE} AND s.ref NOT IN (SELECT ref FROM duplicated)
        UNION ALL
        SELECT e.ref, trim(e.annotations->>'{_SERVICE_ID}'),
               trim(e.annotations->>'{_INTEGRATION_KEY}')
        FROM entities e
        WHERE e.ref IN (SELECT ref FROM duplicated)
          AND e.ref IN (SELECT ref FROM _sc_scope WHERE scorecard = $scorecard)),
      pd_mapped AS (
        SELECT v.source, v.id AS service_id, k.ref FROM pd_keys k
        JOIN pd_service_rows v ON v.valid_to IS NULL AND v.id = k.service_id
        UNION
        SELECT v.source, v.id, k.ref FROM pd_keys k
        JOIN (SELECT source, id, unnest(integration_keys) AS integration_key
              FROM pd_service_rows WHERE valid_to IS NULL) v
          ON v.integration_key = k.integration_key),
      scope_oncall AS (
        SELECT m.ref, v.id AS service_id, v.name AS service_name, v.escalation_policy_id,
               p.name AS escalation_policy_name,
               CAST(p.level_count AS INTEGER) AS escalation_levels,
               coalesce(f.oncall_now, [])::VARCHAR[] AS oncall_now
        FROM pd_mapped m
        JOIN pd_service_rows v ON v.valid_to IS NULL AND v.source = m.source AND v.id = m.service_id
        LEFT JOIN pd_escalation_policy_rows p
          ON p.valid_to IS NULL AND p.source = v.source AND p.id = v.escalation_policy_id
        LEFT JOIN _pd_first_responders f
          ON f.source = v.source AND f.policy_id = v.escalation_policy_id)"""


class OnCall(CheckParamsBase):
    type: Literal["oncall"]
    min_escalation_levels: int = Field(default=1, ge=1)
    require_oncall_now: bool = False

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        reason = ctx.unknown_reason("pagerduty", label="PagerDuty")
        if reason is not None:
            return _all_unknown(reason)
        return (
            f"""
            WITH {_scope_oncall(ctx)},
            o AS (
              SELECT ref,
                first(service_name || ' (' || service_id || ')'
                      ORDER BY escalation_levels DESC NULLS LAST, service_id) AS service,
                first(coalesce(escalation_policy_name, escalation_policy_id, '(none)')
                      ORDER BY escalation_levels DESC NULLS LAST, service_id) AS policy,
                max(coalesce(escalation_levels, 0)) AS levels,
                bool_or(len(oncall_now) > 0) AS someone
              FROM scope_oncall GROUP BY ref)
            SELECT s.ref,
              CASE WHEN o.ref IS NULL OR o.levels < $p_min
                        OR ($p_now AND NOT coalesce(o.someone, false)) THEN 'fail'
                   ELSE 'pass' END,
              CASE WHEN o.ref IS NULL THEN 'no PagerDuty service maps to this entity'
                   ELSE 'PagerDuty service ' || o.service || ', escalation policy ' || o.policy
                        || ': ' || o.levels || ' level(s)'
                        || CASE WHEN o.levels < $p_min THEN ', fewer than ' || $p_min ELSE '' END
                        || CASE WHEN NOT coalesce(o.someone, false) THEN ', nobody on call now'
                                ELSE '' END END
            FROM {SCOPE} LEFT JOIN o ON o.ref = s.ref WHERE {IN_SCOPE}""",
            {"p_min": self.min_escalation_levels, "p_now": self.require_oncall_now},
        )


_ANNOTATION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


class Annotation(CheckParamsBase):
    type: Literal["annotation"]
    key: str = Field(pattern=_ANNOTATION_KEY.pattern)
    matches: str | None = None
    """RE2 pattern searched in the value (anchor it with ^…$ to match the whole value)."""

    _regex = field_validator("matches")(lambda v: None if v is None else _valid_regex(v))

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"""
            SELECT ref,
              CASE WHEN v IS NOT NULL AND ($p_re IS NULL OR regexp_matches(v, $p_re))
                   THEN 'pass' ELSE 'fail' END,
              CASE WHEN v IS NULL THEN 'annotation ' || $p_key || ' is missing'
                   WHEN $p_re IS NOT NULL AND NOT regexp_matches(v, $p_re)
                   THEN $p_key || ': ' || v || ' does not match ' || $p_re
                   ELSE $p_key || ': ' || v END
            FROM (SELECT s.ref, {ctx.fact(annotation_path(self.key))} ->> '$' AS v
                  FROM {SCOPE} WHERE {IN_SCOPE})""",
            {"p_key": self.key, "p_re": self.matches},
        )


class HasDocs(CheckParamsBase):
    type: Literal["has_docs"]
    require_description: bool = False

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"""
            SELECT ref,
              CASE WHEN docs IS NOT NULL AND (NOT $p_desc OR coalesce(descr, '') <> '')
                   THEN 'pass' ELSE 'fail' END,
              CASE WHEN docs IS NULL THEN 'annotation backstage.io/techdocs-ref is missing'
                   WHEN $p_desc AND coalesce(descr, '') = '' THEN 'metadata.description is empty'
                   ELSE 'backstage.io/techdocs-ref: ' || docs END
            FROM (SELECT s.ref,
                    {ctx.fact(annotation_path("backstage.io/techdocs-ref"))} ->> '$' AS docs,
                    {ctx.fact('$."metadata"."description"')} ->> '$' AS descr
                  FROM {SCOPE} WHERE {IN_SCOPE})""",
            {"p_desc": self.require_description},
        )


class Tag(CheckParamsBase):
    type: Literal["tag"]
    tag: list[str] = Field(min_length=1)
    """Passes when the entity has any of these tags."""

    _list = field_validator("tag", mode="before")(lambda v: [v] if isinstance(v, str) else v)

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"""
            SELECT s.ref,
              CASE WHEN list_has_any(coalesce(s.tags, []), $p_tags) THEN 'pass' ELSE 'fail' END,
              CASE WHEN list_has_any(coalesce(s.tags, []), $p_tags)
                   THEN 'tags: ' || array_to_string(s.tags, ', ')
                   ELSE 'none of the tags ' || array_to_string($p_tags, ', ') || ' (has: '
                        || coalesce(nullif(array_to_string(s.tags, ', '), ''), 'no tags') || ')'
              END
            FROM {SCOPE} WHERE {IN_SCOPE}""",
            {"p_tags": self.tag},
        )


_PATH_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\*|\d+)\]|\[\"([^\"\\]+)\"\]")


def annotation_path(key: str) -> str:
    return f'$."metadata"."annotations"."{key}"'


def json_path(path: str) -> tuple[str, str | None]:
    """``spec.lifecycle`` → ``$."spec"."lifecycle"``; ``metadata.links[*].url``,
    ``metadata.annotations["backstage.io/techdocs-ref"]``, ``spec.x[0]``. Returns the DuckDB
    JSON path up to the first ``[*]`` wildcard and, if there is one, the path from it on
    relative to that value (``$[*]."url"``: then the field is a list of values)."""
    out = ["$"]
    rest: list[str] | None = None
    pos = 0
    while pos < len(path):
        match = _PATH_TOKEN.match(path, pos)
        if match is None or (pos == 0 and path.startswith(".")):
            raise ValueError(f"invalid path {path!r} at character {pos + 1}")
        name, index, quoted = match.groups()
        if name is not None:
            if pos > 0 and not match.group(0).startswith("."):
                raise ValueError(f"invalid path {path!r}: expected '.' at character {pos + 1}")
            (out if rest is None else rest).append(f'."{name}"')
        elif index is not None:
            if index == "*" and rest is None:
                rest = ["$"]
            (out if rest is None else rest).append(f"[{index}]")
        else:
            if "'" in quoted:
                raise ValueError(f"invalid path {path!r}: quotes are not allowed in keys")
            (out if rest is None else rest).append(f'."{quoted}"')
        pos = match.end()
    if len(out) == 1:
        raise ValueError("path is empty")
    return "".join(out), None if rest is None else "".join(rest)


class FieldMatches(CheckParamsBase):
    """A JSONPath-like field of the entity exists (and matches / equals / is one of)."""

    type: Literal["field"]
    path: str
    matches: str | None = None
    equals: str | int | float | bool | None = None
    one_of: list[str | int | float | bool] | None = None
    require: Literal["any", "all"] = "any"
    """With a ``[*]`` path: any value or all values (at least one) must satisfy the test."""

    _regex = field_validator("matches")(lambda v: None if v is None else _valid_regex(v))

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        json_path(value)
        return value

    @model_validator(mode="after")
    def _one_test(self) -> FieldMatches:
        given = [n for n in ("matches", "equals", "one_of") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of matches, equals, one_of (got {given})")
        return self

    @staticmethod
    def _text(value: str | int | float | bool) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        path, rest = json_path(self.path)
        params: Params = {"p_path": self.path}
        if self.matches is not None:
            test, what = "regexp_matches({x}, $p_re)", "matching " + self.matches
            params["p_re"] = self.matches
        elif self.equals is not None:
            test, what = "{x} = $p_eq", "equal to " + self._text(self.equals)
            params["p_eq"] = self._text(self.equals)
        elif self.one_of is not None:
            test, what = (
                "list_contains($p_in, {x})",
                "one of " + ", ".join(map(self._text, self.one_of)),
            )
            params["p_in"] = [self._text(v) for v in self.one_of]
        else:
            test, what = "true", "present"
        params["p_what"] = what
        if rest is not None:
            values = f"json_extract_string({ctx.fact(path)}, '{rest}')"
            lam = test.format(x="x")
            if self.require == "any":
                ok = f"len(list_filter(v, lambda x: x IS NOT NULL AND {lam})) > 0"
            else:
                ok = f"len(v) > 0 AND len(list_filter(v, lambda x: x IS NULL OR NOT ({lam}))) = 0"
            shown = "array_to_string(v[1:5], ', ')"
            empty = "len(v) = 0"
        else:
            values = f"{ctx.fact(path)} ->> '$'"
            ok = f"v IS NOT NULL AND {test.format(x='v')}"
            shown = "v"
            empty = "v IS NULL"
        return (
            f"""
            SELECT ref, CASE WHEN coalesce({ok}, false) THEN 'pass' ELSE 'fail' END,
              CASE WHEN {empty} THEN $p_path || ' is missing'
                   WHEN coalesce({ok}, false) THEN $p_path || ': ' || {shown}
                   ELSE $p_path || ': ' || {shown} || ' is not ' || $p_what END
            FROM (SELECT s.ref, {values} AS v FROM {SCOPE} WHERE {IN_SCOPE})""",
            params,
        )


class CodeownersAgree(CheckParamsBase):
    """The resolved owner is among the owners CODEOWNERS names for the entity.

    Reads the claims as of the last load (``_resolved_claims``: ``ownership_claims`` copied by
    the store in the same transaction as ``ownership_conflicts``): the view would join every
    CODEOWNERS rule to the catalog's annotations again (0.25 s instead of 0.07 s at L)."""

    type: Literal["codeowners_agree"]

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        reason = ctx.unknown_reason("codeowners", "github", label="CODEOWNERS")
        if reason is not None:
            return _all_unknown(reason)
        return (
            f"""
            WITH claimed AS (
              SELECT subject, list(DISTINCT owner ORDER BY owner) AS owners
              FROM _resolved_claims WHERE role = 'codeowner' AND owner IS NOT NULL
              GROUP BY subject),
            conflicts AS (
              SELECT DISTINCT subject, resolved_owner FROM ownership_conflicts
              WHERE role = 'codeowner')
            SELECT s.ref,
              CASE WHEN c.subject IS NULL THEN 'unknown' WHEN f.subject IS NULL THEN 'pass'
                   ELSE 'fail' END,
              CASE WHEN c.subject IS NULL THEN 'no CODEOWNERS claim for this entity'
                   WHEN f.subject IS NULL THEN 'CODEOWNERS: ' || array_to_string(c.owners, ', ')
                   ELSE 'owner ' || f.resolved_owner || ' is not among the CODEOWNERS owners '
                        || array_to_string(c.owners, ', ') END
            FROM {SCOPE} LEFT JOIN claimed c ON c.subject = s.ref
            LEFT JOIN conflicts f ON f.subject = s.ref WHERE {IN_SCOPE}""",
            {},
        )


class CloudResourcesTaggedWithOwner(CheckParamsBase):
    type: Literal["cloud_resources_tagged_with_owner"]
    if_none: Literal["pass", "fail", "unknown"] = "unknown"
    """The state of an entity no cloud resource is tagged with."""

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        if "cloud_resources" not in ctx.views:
            return _all_unknown("no cloud resource data (view cloud_resources does not exist)")
        reason = ctx.unknown_reason("aws_tags", label="cloud resource")
        if reason is not None:
            return _all_unknown(reason)
        return (
            f"""
            WITH res AS (
              SELECT s.ref, c.arn, c.owner_ref,
                     s.owner IS NOT NULL AND (c.owner_ref = s.owner OR gm.member IS NOT NULL) AS ok
              FROM {SCOPE} JOIN cloud_resources c ON c.component_ref = s.ref
              LEFT JOIN _group_members gm ON gm.group_ref = s.owner AND gm.member = c.owner_ref
              WHERE {IN_SCOPE}),
            agg AS (
              SELECT ref, count(*) AS n, count(*) FILTER (WHERE NOT ok) AS bad,
                     list(arn || ' (owner ' || coalesce(owner_ref, 'untagged') || ')' ORDER BY arn)
                       FILTER (WHERE NOT ok) AS examples
              FROM res GROUP BY ref)
            SELECT s.ref,
              CASE WHEN a.ref IS NULL THEN $p_none WHEN a.bad = 0 THEN 'pass' ELSE 'fail' END,
              CASE WHEN a.ref IS NULL THEN 'no cloud resource is tagged with this entity'
                   WHEN a.bad = 0 THEN a.n || ' cloud resource(s) tagged with the owner'
                   ELSE a.bad || ' of ' || a.n || ' cloud resource(s) not tagged with owner '
                        || coalesce(s.owner, '(none)') || ': '
                        || array_to_string(a.examples[1:3], ', ') END
            FROM {SCOPE} LEFT JOIN agg a ON a.ref = s.ref WHERE {IN_SCOPE}""",
            {"p_none": self.if_none},
        )


class NoDependencyOnDeprecated(CheckParamsBase):
    type: Literal["no_dependency_on_deprecated"]
    relations: list[str] = ["dependsOn", "consumesApi"]
    lifecycles: list[str] = ["deprecated"]

    _rel = field_validator("relations")(_valid_relations)

    def query(self, ctx: CheckContext) -> tuple[str, Params]:
        return (
            f"""
            WITH t AS (SELECT DISTINCT ref, lifecycle FROM entities
                       WHERE list_contains($p_lc, lifecycle)),
            bad AS (
              SELECT r.source_ref AS ref,
                     list(DISTINCT r.target_ref || ' (' || t.lifecycle || ')'
                          ORDER BY r.target_ref || ' (' || t.lifecycle || ')') AS deps
              FROM relations r JOIN t ON t.ref = r.target_ref
              WHERE list_contains($p_rel, r.type)
                AND r.source_ref IN (SELECT ref FROM _sc_scope WHERE scorecard = $scorecard)
              GROUP BY 1)
            SELECT s.ref, CASE WHEN b.ref IS NULL THEN 'pass' ELSE 'fail' END,
              CASE WHEN b.ref IS NULL THEN 'no ' || array_to_string($p_lc, '/') || ' dependency'
                   ELSE 'depends on ' || array_to_string(b.deps[1:5], ', ')
                        || CASE WHEN len(b.deps) > 5 THEN ' and ' || (len(b.deps) - 5) || ' more'
                                ELSE '' END END
            FROM {SCOPE} LEFT JOIN bad b ON b.ref = s.ref WHERE {IN_SCOPE}""",
            {"p_rel": self.relations, "p_lc": self.lifecycles},
        )


class DependenciesReachLevel(CheckParamsBase):
    """Every dependency (in the target scorecard's scope) reaches at least ``required_level``.

    Evaluated by the engine (``scorecards.levels``), not by a query of its own."""

    type: Literal["dependencies_reach_level"]
    required_level: str
    scorecard: str | None = None
    """The scorecard whose levels count (default: this one)."""
    relations: list[str] = ["dependsOn"]

    _rel = field_validator("relations")(_valid_relations)


class Sql(CheckParamsBase):
    """A read-only query over Steward's views returning the FAILING refs: columns ``ref`` and
    ``evidence``. Every other entity in scope passes; a query that fails makes all unknown."""

    type: Literal["sql"]
    query_text: str = Field(alias="query", min_length=1)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("query_text")
    @classmethod
    def _readonly(cls, value: str) -> str:
        try:
            check_readonly(value)
        except QueryRefused as exc:
            raise ValueError(str(exc)) from None
        return value


CheckParams = (
    HasOwner
    | OwnerIsKnownGroupWithMembers
    | OnCall
    | Annotation
    | HasDocs
    | Tag
    | FieldMatches
    | CodeownersAgree
    | CloudResourcesTaggedWithOwner
    | NoDependencyOnDeprecated
    | DependenciesReachLevel
    | Sql
)

CHECK_TYPES: dict[str, type[CheckParams]] = {
    "has_owner": HasOwner,
    "owner_is_known_group_with_members": OwnerIsKnownGroupWithMembers,
    "oncall": OnCall,
    "annotation": Annotation,
    "has_docs": HasDocs,
    "tag": Tag,
    "field": FieldMatches,
    "codeowners_agree": CodeownersAgree,
    "cloud_resources_tagged_with_owner": CloudResourcesTaggedWithOwner,
    "no_dependency_on_deprecated": NoDependencyOnDeprecated,
    "dependencies_reach_level": DependenciesReachLevel,
    "sql": Sql,
}
