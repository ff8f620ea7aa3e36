"""``steward ownership suggest [REF]``: who probably owns what has no (known) owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.cli.common import ConfigOption, TextFormat, console, print_json, read

if TYPE_CHECKING:
    import duckdb


def suggest_command(
    ref: Annotated[
        str | None, typer.Argument(help="One entity or ARN (default: every unowned one).")
    ] = None,
    config: ConfigOption = None,
    format: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
) -> None:
    """Suggested owners, ranked, with evidence (CODEOWNERS, PagerDuty, cloud tags, system or
    parent owner, close names) for no_owner, unknown_owner and cloud_unknown_owner gaps."""
    from rich.markup import escape

    found = read(config, lambda con: suggestions_for(con, ref))
    if format is TextFormat.json:
        print_json(found)
        return
    if not found:
        where = f" for {ref}" if ref else ""
        console.print(f"no open no_owner, unknown_owner or cloud_unknown_owner gap{where}")
    for item in found:
        console.print(
            f"[bold]{escape(item['subject'])}[/] ({item['gap']}): {escape(item['detail'])}",
            highlight=False,
        )
        if not item["suggestions"]:
            console.print("  no evidence for an owner", highlight=False)
        for s in item["suggestions"]:
            console.print(f"  → {escape(s['owner'])} (score {s['score']:g})", highlight=False)
            for e in s["evidence"]:
                console.print(f"      {e['kind']}: {escape(e['detail'])}", highlight=False)


def suggestions_for(con: duckdb.DuckDBPyConnection, ref: str | None) -> list[dict[str, Any]]:
    from service.reports.suggest import SUGGESTABLE_GAPS, suggest_owners

    subject = None if ref is None else _subject(con, ref)
    rows = con.execute(
        "SELECT subject, gap, detail FROM ownership_gaps WHERE list_contains(?, gap) "
        "AND (?::VARCHAR IS NULL OR subject = ?) ORDER BY subject",
        [list(SUGGESTABLE_GAPS), subject, subject],
    ).fetchall()
    gaps = [{"subject": s, "gap": g, "detail": d} for s, g, d in rows]
    return [s.model_dump() for s in suggest_owners(con, gaps)]


def _subject(con: duckdb.DuckDBPyConnection, ref: str) -> str:
    """An ARN as written, a catalog ref (lenient), or, for an entity the catalog rejected (no
    spec.owner), its ref as written when a gap names it."""
    from catalog.errors import CatalogError, UnknownEntityError
    from catalog.lookup import resolve_ref
    from catalog.refs import canonical_ref

    if ref.startswith("arn:"):
        return ref
    try:
        return resolve_ref(con, ref)
    except UnknownEntityError:
        try:
            canonical = canonical_ref(ref, default_kind="component", default_namespace="default")
        except CatalogError:
            raise
        if con.execute("SELECT 1 FROM ownership_gaps WHERE subject = ?", [canonical]).fetchone():
            return canonical
        raise
