"""What every command module shares: the --config option, consoles, errors, reading the store.

Command modules import only this, typer and rich at start-up; anything heavier (DuckDB
queries, the graph, sources, scorecards) is imported inside the command that needs it, so
``steward --help`` and ``steward catalog check`` start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from catalog.errors import StewardError

if TYPE_CHECKING:
    import duckdb

    from service.config import StewardConfig

console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="steward.yaml (default ./steward.yaml or $STEWARD_CONFIG)"),
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T = TypeVar("T")


class TextFormat(StrEnum):
    text = "text"
    json = "json"


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def fail(exc: StewardError) -> typer.Exit:
    from catalog.secrets import redact

    message = escape(redact(str(exc)))
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def load(config: Path | None, *, sources: bool = True) -> StewardConfig:
    """The config; ``sources=False`` for readers, which need none of the sources' secrets."""
    from service.config import load_config

    return load_config(config, sources=sources)


@contextmanager
def reading(config: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the configured database or, while another process (``steward
    serve``) holds it, to its published snapshot (saying so on stderr, with its age)."""
    from catalog.store.readers import open_for_reading

    opened = open_for_reading(load(config, sources=False).database)
    if opened.snapshot is not None:
        at = opened.snapshot.published_at
        age = _age((datetime.now(UTC) - at).total_seconds())
        err_console.print(
            f"[yellow]note:[/] the database is held by another process (steward serve?); "
            f"reading its snapshot {escape(os.path.normpath(opened.snapshot.path))}, published "
            f"{at:%Y-%m-%d %H:%M:%S} UTC ({age} ago)",
            highlight=False,
            soft_wrap=True,
        )
    try:
        yield opened.connection
    finally:
        opened.connection.close()


def read(config: Path | None, query: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run ``query`` on :func:`reading`'s connection; errors exit 2."""
    try:
        with reading(config) as con:
            return query(con)
    except StewardError as exc:
        raise fail(exc) from None


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
