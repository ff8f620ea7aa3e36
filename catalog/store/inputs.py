"""Which snapshot tables a derived view reads, and which of its views read the clock.

The ownership tables and the gap episodes are refilled from views over the snapshot tables
(``catalog.store.ownership``, ``catalog.store.gaps``). A load that changed none of the tables a
view reads cannot change what the view returns, so its refill can be skipped; a view that calls
``now()`` can change with no load at all. Both facts are read from the database's own view
definitions (``duckdb_views()``), followed transitively, so a migration that changes a view
changes the answer too.

The names are found as words of the view's SQL outside string literals: a word that names a
view is followed, a word that names a snapshot table is an input. That can only find too many
inputs (a column or alias spelt like a table), never too few, so a refill is at worst run when
it was not needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from catalog.store.migrations import SNAPSHOT_TABLES

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLOCK = re.compile(
    r"\b(?:(?:now|get_current_time|get_current_timestamp|today)\s*\(|current_timestamp\b|"
    r"current_date\b|localtimestamp\b)",
    re.I,
)
_STRING = re.compile(r"'(?:[^']|'')*'")


@dataclass(frozen=True)
class ViewInputs:
    tables: frozenset[str]
    """Snapshot tables read, directly or through other views."""
    clock_views: frozenset[str]
    """Views read (``roots`` included) whose SQL calls the clock."""
    missing: frozenset[str] = frozenset()
    """Views asked for that the database does not have (an older schema): nothing is known."""


def view_inputs(
    con: duckdb.DuckDBPyConnection, roots: tuple[str, ...], *, expand: dict[str, str] | None = None
) -> ViewInputs:
    """The snapshot tables and clock-reading views reachable from the views ``roots``.

    ``expand`` maps a table that is itself refilled from a view (a materialised table) to that
    view, so that its inputs count too."""
    views = {
        str(name): str(sql)
        for name, sql in con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }
    expand = expand or {}
    tables: set[str] = set()
    clock: set[str] = set()
    seen: set[str] = set()
    missing: set[str] = set()
    pending = list(roots)
    while pending:
        view = pending.pop()
        if view in seen:
            continue
        seen.add(view)
        sql = views.get(view)
        if sql is None:
            missing.add(view)
            continue
        body = sql.split(" AS ", 1)[1] if " AS " in sql else sql  # not the view's own name
        body = _STRING.sub("''", body)  # words in string literals name nothing
        if _CLOCK.search(body):
            clock.add(view)
        for word in set(_WORD.findall(body)):
            if word in SNAPSHOT_TABLES:
                tables.add(word)
            elif word in expand:
                pending.append(expand[word])
            elif word in views:
                pending.append(word)
    return ViewInputs(frozenset(tables), frozenset(clock), frozenset(missing))
