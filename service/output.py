"""Printing rows as a rich table, CSV or JSON: one place for every CLI command."""

from __future__ import annotations

import csv
import json
import sys
import textwrap
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.cells import cell_len
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
        print_table(console, columns, [[_cell(v) for v in row] for row in rows], title=title)


# -- fitting a table into the terminal: wrap prose, never cut a ref ----------------------------

_PER_COLUMN = 3
"""Cells a column costs besides its content: padding either side and the rule before it."""
PROSE_MIN = 12
"""Narrowest a prose column (values with spaces, wrapped at them) is made."""


def _width(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


def plan_columns(
    columns: Sequence[str], cells: Sequence[Sequence[str]], width: int
) -> list[int] | None:
    """Column widths that fit the table into ``width`` cells, or None if it cannot fit.

    A column whose values have no spaces (refs, ids, numbers, dates) keeps its full width: a
    ref is never cut or folded. A prose column (values with spaces) wraps at its spaces and may
    get narrower, down to ``PROSE_MIN``; what is left over goes back to prose, left to right."""
    natural = [
        max([_width(name), *(_width(row[i]) for row in cells)]) for i, name in enumerate(columns)
    ]
    prose = [any(" " in row[i] for row in cells) for i in range(len(columns))]
    widths = [
        min(natural[i], max(PROSE_MIN, _width(columns[i]))) if prose[i] else natural[i]
        for i in range(len(columns))
    ]
    spare = width - 1 - _PER_COLUMN * len(columns) - sum(widths)
    if spare < 0:
        return None
    for i in range(len(columns)):
        if prose[i]:
            extra = min(spare, natural[i] - widths[i])
            widths[i] += extra
            spare -= extra
    return widths


def print_table(
    console: Console,
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    title: str | None = None,
) -> None:
    """``cells`` as a table that fits the console's width (see ``plan_columns``). A table that
    cannot fit without cutting refs is printed as records instead, one ``column  value`` line
    per field (like ``psql``'s expanded display): every column stays, nothing is cut."""
    widths = plan_columns(columns, cells, console.width)
    if widths is None:
        print_records(console, columns, cells, title=title)
        return
    table = Table(title=title, expand=False)
    for name, width in zip(columns, widths, strict=True):
        table.add_column(name, width=width, overflow="fold")
    for row in cells:
        # Text, not str: a cell such as "[tier-1]" is data, never rich markup.
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def print_records(
    console: Console,
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    title: str | None = None,
) -> None:
    """One block per row: ``column  value``, values wrapped at spaces under each other. A word
    (a ref) longer than the line is kept whole on its own line, never cut."""
    label = max((cell_len(c) for c in columns), default=0) + 2
    room = max(console.width - label, 20)
    lines: list[str] = [title] if title else []
    for n, row in enumerate(cells):
        lines.append(f"-[ {n + 1} ]" + "-" * max(0, min(console.width, 40) - 7 - len(str(n + 1))))
        for name, value in zip(columns, row, strict=True):
            wrapped = [
                part
                for para in value.split("\n")
                for part in textwrap.wrap(
                    para, room, break_long_words=False, break_on_hyphens=False
                )
                or [""]
            ]
            lines.append(f"{name:<{label}}{wrapped[0]}".rstrip())
            lines.extend(" " * label + part for part in wrapped[1:])
    console.print(Text("\n".join(lines)), soft_wrap=True, highlight=False)
