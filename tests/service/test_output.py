"""Issue 14.14: tables at 80 columns wrap prose and never cut a ref."""

from __future__ import annotations

import io
import re

from rich.console import Console

from service.output import RowFormat, plan_columns, print_rows

GAP_COLUMNS = ["subject", "gap", "detail", "evidence", "owner"]
GAPS = [
    [
        "component:default/payments-api",
        "owner_group_without_members",
        "owner group:default/team-payments-platform has no members, directly or through "
        "child groups",
        "payments-api/catalog-info.yaml:12",
        "group:default/team-payments-platform",
    ],
    [
        "group:default/team-data-quality-and-observability",
        "group_member_not_in_catalog",
        "member user:default/left-the-company is not a User of the catalog",
        "org/org.yaml:300",
        None,
    ],
]
REF = re.compile(r"\b(?:component|group|user|api|resource|system):[a-z0-9-]+/[a-z0-9.-]+")


def printed(columns: list[str], rows: list[list[object]], width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    print_rows(console, columns, rows, RowFormat.table, title="gaps")
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def every_ref(rows: list[list[object]]) -> set[str]:
    return {m for row in rows for cell in row for m in REF.findall(str(cell or ""))}


def test_a_wide_table_at_80_columns_cuts_no_ref_and_keeps_every_column() -> None:
    out = printed(GAP_COLUMNS, GAPS)
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert every_ref(GAPS) <= set(REF.findall(out))  # each ref whole on one line
    for column in GAP_COLUMNS:
        assert re.search(rf"^{column}\b", out, re.MULTILINE), column
    assert "directly or through child groups" in " ".join(out.split())


def test_a_table_that_fits_stays_a_table_and_wraps_prose_not_refs() -> None:
    rows = [[r[0], r[2]] for r in GAPS[:1]]
    out = printed(["subject", "detail"], rows)
    assert out.splitlines()[2].startswith("┃ subject")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "component:default/payments-api" in out
    assert "group:default/team-payments-platform" in out
    assert "…" not in out


def test_plan_keeps_atomic_columns_whole_and_shrinks_prose() -> None:
    cells = [["group:default/a-rather-long-team-name", "one two three four five six seven"]]
    widths = plan_columns(["ref", "note"], cells, 60)
    assert widths == [37, 60 - 1 - 6 - 37]
    assert plan_columns(["ref", "ref2"], [["x" * 40, "y" * 40]], 80) is None
