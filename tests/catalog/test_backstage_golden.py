"""Steward vs. the real Backstage: goldens produced by tests/oracle/backstage_oracle.mjs.

Each directory under data/backstage_cases/ is a catalog tree; ``<dir>.golden.json`` beside it is
what Backstage's own code accepted (see the oracle script's header to regenerate).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog.check import check_paths

CASES = Path(__file__).parent / "data" / "backstage_cases"
DIRS = sorted(
    p for p in CASES.iterdir() if p.is_dir() and (CASES / f"{p.name}.golden.json").exists()
)


def steward_view(root: Path) -> dict[str, Any]:
    """What ``steward catalog check ROOT --all-yaml --format json`` reports, plus the accepted
    refs (the oracle reads every YAML file of the tree)."""
    report = check_paths([root], all_yaml=True).to_json()
    files = {
        rel: {"ok": f["ok"], "entities": sorted(f["entities"])}
        for rel, f in report["files"].items()
    }
    return {
        "files": files,
        "accepted": sorted(ref for f in files.values() for ref in f["entities"]),
        "relations": report["relations"],
        "conflicts": report["conflicts"],
    }


def golden_view(name: str) -> dict[str, Any]:
    golden = json.loads((CASES / f"{name}.golden.json").read_text())
    golden["files"] = {
        rel: {"ok": f["ok"], "entities": f["entities"]} for rel, f in golden["files"].items()
    }
    return golden


@pytest.mark.parametrize("root", DIRS, ids=[d.name for d in DIRS])
def test_matches_backstage(root: Path) -> None:
    ours, theirs = steward_view(root), golden_view(root.name)
    mismatched = {
        rel: (ours["files"].get(rel), f)
        for rel, f in theirs["files"].items()
        if ours["files"].get(rel) != f
    }
    assert mismatched == {}
    assert set(ours["files"]) == set(theirs["files"])
    assert ours["accepted"] == theirs["accepted"]
    assert ours["relations"] == theirs["relations"]
    assert ours["conflicts"] == theirs["conflicts"]


def test_goldens_cover_enough_cases() -> None:
    edge = json.loads((CASES / "edge.golden.json").read_text())
    assert len(edge["files"]) >= 60
    assert {True, False} == {f["ok"] for f in edge["files"].values()}
