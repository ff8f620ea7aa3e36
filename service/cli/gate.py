"""``steward scorecard gate``: a readiness gate for CI and deploy pipelines."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import ConfigOption, TextFormat, console, fail, print_json, reading


def gate_command(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    scorecard: Annotated[str, typer.Option("--scorecard", "-s", help="Scorecard id.")],
    min_level: Annotated[str, typer.Option("--min-level", "-l", help="Lowest passing level.")],
    config: ConfigOption = None,
    format: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
) -> None:
    """Exit 0 if REF is at or above --min-level in the scorecard's latest run, 1 if not (the
    failing checks are printed with evidence), 2 on a bad ref, scorecard or level."""
    from rich.markup import escape

    from catalog.errors import StewardError
    from catalog.lookup import resolve_ref
    from service.gate import evaluate_gate

    try:
        with reading(config) as con:
            result = evaluate_gate(con, resolve_ref(con, ref), scorecard, min_level)
    except StewardError as exc:
        raise fail(exc) from None
    passed = result.pass_
    if format is TextFormat.json:
        print_json(result.model_dump(mode="json", by_alias=True))
    else:
        verdict = "[bold green]PASS[/]" if passed else "[bold red]FAIL[/]"
        console.print(
            f"{verdict} {result.ref}: {result.scorecard} level {result.level or 'none'} "
            f"(needs {result.min_level}; levels {', '.join(result.levels)}; score "
            f"{result.score})",
            highlight=False,
        )
        for check in result.failing_checks:
            console.print(
                f"  {check.level:>8}  {check.state:<7} {escape(check.id)}: "
                f"{escape(check.evidence)}",
                highlight=False,
            )
    raise typer.Exit(0 if passed else 1)
