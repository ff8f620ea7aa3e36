"""Suggested owners: every kind of evidence, ranked, only known groups and users."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog.store import Store
from service.reports import GapSuggestions, suggest_owners
from tests.service.reports.conftest import GapClock, component

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def _write(store: Store, source: str, kind: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    run = store.begin_run(source, kind)
    snapshot = {t: {k: [row[k] for row in rows] for k in rows[0]} for t, rows in tables.items()}
    store.finish_run(run, status="ok", snapshot=snapshot)


def _codeowners_row(location: str) -> dict[str, Any]:
    return {
        "repo": location.split("/")[-2],
        "location": location,
        "path": "catalog-info.yaml",
        "owners_raw": ["@acme/team-b"],
        "owner_guess": ["group:default/team-b"],
        "codeowners_file": "CODEOWNERS",
        "rule_line": 3,
    }


def _evidence_org(history: GapClock) -> None:
    """c: owner team-x (unknown) in system shop (team-a); its CODEOWNERS rule and AWS tags say
    team-b. sub: owner team-x, a subcomponent of ok (team-b). n: rejected (no spec.owner),
    its CODEOWNERS rule and AWS tags say team-b."""
    history.at(
        NOW,
        [
            component("c", "team-x", "  system: shop\n"),
            component("ok", "team-b"),
            component("sub", "team-x", "  subcomponentOf: ok\n"),
            component("n", None),
        ],
    )
    repos = history.root / "repos"
    _write(
        history.store,
        "codeowners",
        "codeowners",
        {
            "codeowners_rows": [
                _codeowners_row(f"file:{repos}/c/catalog-info.yaml"),
                _codeowners_row(f"file:{repos}/n/catalog-info.yaml"),
            ],
        },
    )
    infra = {"owner": "group:default/team-b", "owner_raw": "team-b", "role": "infra"}
    _write(
        history.store,
        "aws",
        "aws_tags",
        {
            "claim_rows": [
                {"subject": "component:default/c", **infra, "evidence": "arn:aws:s3:::c-data#team"},
                {"subject": "component:default/n", **infra, "evidence": "arn:aws:s3:::n-data#team"},
            ],
        },
    )
    history.store.refresh_gaps(stale_after_days=None, now=NOW)


def _suggest(history: GapClock) -> dict[str, GapSuggestions]:
    with history.store.reader() as cur:
        rows = cur.execute("SELECT subject, gap, detail FROM ownership_gaps").fetchall()
        gaps = [{"subject": s, "gap": g, "detail": d} for s, g, d in rows]
        return {s.subject: s for s in suggest_owners(cur, gaps)}


def test_evidence_is_ranked_by_weight(history: GapClock) -> None:
    _evidence_org(history)
    c = _suggest(history)["component:default/c"]
    assert c.gap == "unknown_owner"
    assert [(s.owner, s.score) for s in c.suggestions] == [
        ("group:default/team-b", 6.0),  # codeowners 3 + cloud tag 2 + close name 1
        ("group:default/team-a", 3.0),  # system owner 2 + close name 1
    ]
    best = c.suggestions[0].evidence
    assert [e.kind for e in best] == ["codeowners", "cloud_tag", "close_name"]
    assert best[0].detail == "CODEOWNERS c:CODEOWNERS:3 (@acme/team-b)"
    assert best[1].detail == "AWS tag on arn:aws:s3:::c-data#team"
    assert best[2].detail == "group:default/team-x is close to the known group:default/team-b"
    system = c.suggestions[1].evidence[0]
    assert (system.kind, system.detail) == ("system", "owner of its system system:default/shop")


def test_parent_owner(history: GapClock) -> None:
    _evidence_org(history)
    sub = _suggest(history)["component:default/sub"]
    top = sub.suggestions[0]
    assert top.owner == "group:default/team-b"
    assert [e.kind for e in top.evidence] == ["parent", "close_name"]
    assert top.evidence[0].detail == "owner of its parent component:default/ok"


def test_an_entity_the_catalog_rejected_gets_codeowners_and_tag_evidence(
    history: GapClock,
) -> None:
    _evidence_org(history)
    n = _suggest(history)["component:default/n"]
    assert n.gap == "no_owner"
    assert [(s.owner, s.score) for s in n.suggestions] == [("group:default/team-b", 5.0)]
    assert "covers repos/n/catalog-info.yaml" in n.suggestions[0].evidence[0].detail


def test_only_suggestable_gaps_and_known_owners(history: GapClock) -> None:
    found = _suggest(history)
    assert set(found) == {"component:default/b", "component:default/c"}
    assert all(g.gap in ("no_owner", "unknown_owner") for g in found.values())
    owners = {s.owner for g in found.values() for s in g.suggestions}
    assert owners <= {"group:default/team-a", "group:default/team-b"}
