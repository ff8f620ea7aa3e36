"""Finding the entity a person means: lenient refs, close-name suggestions."""

from __future__ import annotations

import difflib

import duckdb

from catalog.errors import CatalogError, UnknownEntityError
from catalog.refs import canonical_ref


def resolve_ref(
    con: duckdb.DuckDBPyConnection, text: str, *, default_kind: str = "component"
) -> str:
    """The canonical ref of an existing entity named by ``text`` (``name``, ``kind:name`` or
    ``kind:namespace/name``, any case). A bare name that is not a ``default_kind`` but names
    exactly one entity of another kind resolves to it. Unknown → UnknownEntityError with
    suggestions of close names."""
    try:
        wanted = canonical_ref(text.strip(), default_kind=default_kind, default_namespace="default")
    except CatalogError as exc:
        raise UnknownEntityError(text, []) from exc
    if con.execute("SELECT 1 FROM entities WHERE ref = ?", [wanted]).fetchone():
        return wanted
    if ":" not in text:
        rows = con.execute(
            "SELECT ref FROM entities WHERE lower(name) = lower(?) ORDER BY ref", [text.strip()]
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
    refs = [str(r[0]) for r in con.execute("SELECT ref FROM entities").fetchall()]
    names = {ref.split("/", 1)[-1]: ref for ref in refs}
    close = difflib.get_close_matches(wanted, refs, n=5, cutoff=0.6)
    close += [
        names[n]
        for n in difflib.get_close_matches(wanted.split("/", 1)[-1], list(names), n=5, cutoff=0.6)
    ]
    raise UnknownEntityError(wanted, list(dict.fromkeys(close))[:5])
