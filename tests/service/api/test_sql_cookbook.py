"""Every query of docs/sql-cookbook.md runs through POST /api/v1/sql on the example org."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

COOKBOOK = Path(__file__).parents[3] / "docs" / "sql-cookbook.md"


def _sections() -> list[tuple[str, str, bool]]:
    """(heading, sql, may be empty on the example org) for every ```sql block."""
    found = []
    for section in re.split(r"^## ", COOKBOOK.read_text(), flags=re.M)[1:]:
        heading = section.splitlines()[0]
        for sql in re.findall(r"```sql\n(.*?)```", section, re.S):
            found.append((heading, sql, "Empty on" in section))
    return found


SECTIONS = _sections()


def test_the_cookbook_has_at_least_twelve_questions() -> None:
    assert len(SECTIONS) >= 12
    assert len({heading for heading, _, _ in SECTIONS}) == len(SECTIONS)


@pytest.mark.parametrize(
    ("heading", "sql", "may_be_empty"), SECTIONS, ids=[s[0][:40] for s in SECTIONS]
)
def test_cookbook_query_runs(
    client: TestClient, heading: str, sql: str, may_be_empty: bool
) -> None:
    response = client.post("/api/v1/sql", json={"sql": sql})
    assert response.status_code == 200, (heading, response.text)
    body = response.json()
    assert body["columns"] and body["truncated"] is False
    if not may_be_empty:
        assert body["rows"], f"{heading}: no rows on the example organisation"
