"""Suggested owners for ``no_owner``, ``unknown_owner`` and ``cloud_unknown_owner`` gaps,
ranked, each with the evidence behind it.

Evidence, strongest first (weights add up per candidate):

=================  ======  ================================================================
kind               weight  where it comes from
=================  ======  ================================================================
``codeowners``     3       the CODEOWNERS rule covering the entity's catalog file
``pagerduty``      3       the PagerDuty team of the service the entity is mapped to
``cloud_tag``      2       owner tags of the entity's AWS resources; for a resource, the
                           owner of the component its tag names
``system``         2       the owner of the entity's system (or of the API's provider)
``parent``         2       the owner of the component it is a subcomponent of
``close_name``     1       a known group whose name is close to the unknown owner or tag
=================  ======  ================================================================

Only known Groups and Users are suggested. All queries are set-based over the gaps' subjects.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import duckdb
from pydantic import BaseModel

SUGGESTABLE_GAPS = ("no_owner", "unknown_owner", "cloud_unknown_owner")
WEIGHTS = {
    "codeowners": 3.0,
    "pagerduty": 3.0,
    "cloud_tag": 2.0,
    "system": 2.0,
    "parent": 2.0,
    "close_name": 1.0,
}
MAX_SUGGESTIONS = 3


class Evidence(BaseModel):
    kind: str
    detail: str


class Suggestion(BaseModel):
    owner: str
    score: float
    evidence: list[Evidence]


class GapSuggestions(BaseModel):
    subject: str
    gap: str
    detail: str
    suggestions: list[Suggestion]


_EVIDENCE_SQL = """
WITH wanted AS (SELECT DISTINCT unnest($subjects::VARCHAR[]) AS subject),
known AS (SELECT ref FROM entities WHERE kind IN ('group', 'user')),
problem_files AS (  -- entities the catalog rejected (e.g. no spec.owner) keep their file
  SELECT DISTINCT ref AS subject, location FROM catalog_problems
  WHERE ref IN (SELECT subject FROM wanted)
),
claims AS (  -- the claims the last gaps step resolved owners from (see migration 8)
  SELECT subject, owner, owner_raw, role, evidence FROM _resolved_claims
  WHERE role IN ('codeowner', 'oncall', 'infra') AND subject IN (SELECT subject FROM wanted)
)
SELECT c.subject, 'codeowners' AS kind, c.owner,
       'CODEOWNERS ' || c.evidence || ' (' || c.owner_raw || ')' AS detail
FROM claims c
WHERE c.role = 'codeowner'
UNION ALL
SELECT p.subject, 'codeowners', o.guess,
       'CODEOWNERS ' || r.repo || ':' || r.codeowners_file || ':' || r.rule_line
         || ' covers ' || p.location || ' (' || o.raw || ')'
FROM problem_files p
JOIN codeowners_rows r ON r.valid_to IS NULL AND r.location LIKE '%/' || p.location
CROSS JOIN LATERAL (SELECT unnest(r.owners_raw) AS raw, unnest(r.owner_guess) AS guess) o
WHERE p.subject NOT IN (SELECT ref FROM entities)
UNION ALL
SELECT c.subject, 'pagerduty', c.owner, 'PagerDuty ' || c.evidence
FROM claims c
WHERE c.role = 'oncall'
UNION ALL
SELECT c.subject, 'cloud_tag', c.owner, 'AWS tag on ' || c.evidence
FROM claims c
WHERE c.role = 'infra'
UNION ALL
SELECT r.arn, 'cloud_tag', e.owner,
       'tag ' || r.component_tag || ' names ' || e.ref || ', owned by ' || e.owner
FROM cloud_resource_rows r JOIN entities e ON e.ref = r.component_ref
WHERE r.valid_to IS NULL AND r.arn IN (SELECT subject FROM wanted) AND e.owner IS NOT NULL
UNION ALL
SELECT e.ref, 'system', s.owner, 'owner of its system ' || s.ref
FROM entities e JOIN entities s ON s.ref = e.system
WHERE e.ref IN (SELECT subject FROM wanted) AND s.owner IS NOT NULL
UNION ALL
SELECT r.source_ref, 'system', p.owner, 'owner of ' || p.ref || ', which provides it'
FROM relations r JOIN entities p ON p.ref = r.target_ref
WHERE r.type = 'apiProvidedBy' AND r.source_ref IN (SELECT subject FROM wanted)
  AND p.owner IS NOT NULL
UNION ALL
SELECT r.source_ref, 'parent', p.owner, 'owner of its parent ' || p.ref
FROM relations r JOIN entities p ON p.ref = r.target_ref
WHERE r.type = 'partOf' AND p.kind = 'component'
  AND r.source_ref IN (SELECT subject FROM wanted) AND p.owner IS NOT NULL
"""


def suggest_owners(
    cur: duckdb.DuckDBPyConnection, gaps: Iterable[dict[str, Any]]
) -> list[GapSuggestions]:
    """Suggestions for every suggestable gap in ``gaps`` (dicts with subject, gap, detail)."""
    wanted = [g for g in gaps if g["gap"] in SUGGESTABLE_GAPS]
    if not wanted:
        return []
    subjects = sorted({g["subject"] for g in wanted})
    known = {
        str(r[0])
        for r in cur.execute("SELECT ref FROM entities WHERE kind IN ('group', 'user')").fetchall()
    }
    evidence: dict[str, dict[str, list[Evidence]]] = {}
    for subject, kind, owner, detail in cur.execute(
        _EVIDENCE_SQL, {"subjects": subjects}
    ).fetchall():
        if owner in known:
            found = evidence.setdefault(subject, {}).setdefault(owner, [])
            item = Evidence(kind=kind, detail=detail)
            if item not in found:
                found.append(item)
    groups = sorted(r for r in known if r.startswith("group:"))
    close_cache: dict[str, list[str]] = {}  # the same unknown team recurs on many gaps
    for subject, unknown in _unknown_owner_names(cur, subjects):
        if unknown not in close_cache:
            close_cache[unknown] = _close_groups(unknown, groups)
        for close in close_cache[unknown]:
            evidence.setdefault(subject, {}).setdefault(close, []).append(
                Evidence(kind="close_name", detail=f"{unknown} is close to the known {close}")
            )
    out = []
    for gap in sorted(wanted, key=lambda g: (g["subject"], g["gap"], g["detail"])):
        ranked = [
            Suggestion(
                owner=owner,
                score=sum(WEIGHTS[k] for k in {e.kind for e in items}),
                evidence=sorted(items, key=lambda e: (-WEIGHTS[e.kind], e.kind, e.detail)),
            )
            for owner, items in evidence.get(gap["subject"], {}).items()
        ]
        ranked.sort(key=lambda s: (-s.score, s.owner))
        out.append(
            GapSuggestions(
                subject=gap["subject"],
                gap=gap["gap"],
                detail=gap["detail"],
                suggestions=ranked[:MAX_SUGGESTIONS],
            )
        )
    return out


def _unknown_owner_names(
    cur: duckdb.DuckDBPyConnection, subjects: list[str]
) -> list[tuple[str, str]]:
    """(subject, the owner it names that the catalog does not know): spec.owner or tag value."""
    rows = cur.execute(
        """
        SELECT ref, owner FROM entities
        WHERE ref IN (SELECT unnest($s::VARCHAR[])) AND owner IS NOT NULL
          AND owner NOT IN (SELECT ref FROM entities WHERE kind IN ('group', 'user'))
        UNION ALL
        SELECT arn, coalesce(owner_ref, tag_values[list_position(tag_keys, owner_tag)])
        FROM cloud_resource_rows  -- not the cloud_resources view: it builds every tags JSON
        WHERE valid_to IS NULL AND arn IN (SELECT unnest($s::VARCHAR[]))
          AND owner_tag IS NOT NULL
        """,
        {"s": subjects},
    ).fetchall()
    return [(str(s), str(o)) for s, o in rows if o]


def _close_groups(unknown: str, groups: list[str]) -> list[str]:
    name = unknown.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
    by_name: dict[str, list[str]] = {}
    for group in groups:
        by_name.setdefault(group.rsplit("/", 1)[-1], []).append(group)
    close = difflib.get_close_matches(name, list(by_name), n=2, cutoff=0.75)
    return [g for c in close for g in by_name[c]]
