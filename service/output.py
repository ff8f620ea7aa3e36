"""Printing rows as a rich table, CSV or JSON: one place for every CLI command."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


class RowFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)


def print_rows(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: RowFormat,
    *,
    title: str | None = None,
) -> None:
    if fmt is RowFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, indent=2, default=str) + "\n")
    elif fmt is RowFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
    else:
        table = Table(*columns, title=title)
        for row in rows:
            # Text, not str: a cell such as "[tier-1]" is data, never rich markup.
            table.add_row(*(Text(_cell(v)) for v in row))
        console.print(table)
