"""Finding the entity a person means: lenient refs, close-name suggestions.

People type ``name``, ``kind:name``, ``ns/name`` or ``kind:ns/name``, any case. Kind defaults to
``component`` (or the caller's ``default_kind``) and namespace to ``default``, as in Backstage;
when that names nothing and the kind or the namespace was left out, the one known entity with
that name (of the given kind / in the given namespace) is taken instead. Anything else is an
``UnknownEntityError`` with close names as suggestions.

One algorithm, two places that know refs: the database (``resolve_ref(con, …)``, the CLI and the
API) and the dependency graph (``graph.resolve``, whose missing nodes can be asked about too).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Protocol

import duckdb

from catalog.errors import UnknownEntityError
from catalog.refs import EntityRefError, parse_entity_ref

DEFAULT_KIND = "component"
MAX_SUGGESTIONS = 5


class KnownRefs(Protocol):
    """The refs a lookup may answer with (canonical, lowercase ``kind:namespace/name``)."""

    def has(self, ref: str) -> bool: ...

    def named(self, name: str) -> list[str]:
        """The refs whose name is ``name`` (lowercase), sorted."""
        ...

    def all(self) -> Iterable[str]: ...

    def near(self, name: str) -> Iterable[str]:
        """The refs worth comparing with ``name`` (lowercase) for suggestions: all of them, or a
        shortlist when comparing every ref would be slow."""
        ...


def resolve_in(known: KnownRefs, text: str, *, default_kind: str = DEFAULT_KIND) -> str:
    """The canonical ref of the entity ``text`` names among ``known``, or UnknownEntityError."""
    raw = text.strip()
    try:
        parsed = parse_entity_ref(raw, default_kind=default_kind)
    except EntityRefError:
        raise UnknownEntityError(raw, suggestions(known, raw.lower())) from None
    ref = parsed.canonical()
    if known.has(ref):
        return ref
    explicit_kind = ":" in raw.split("/", 1)[0]
    explicit_namespace = "/" in raw
    kind, namespace, name = parsed.kind.lower(), parsed.namespace.lower(), parsed.name.lower()
    candidates = [
        candidate
        for candidate in known.named(name)
        if (not explicit_kind or _kind(candidate) == kind)
        and (not explicit_namespace or _namespace(candidate) == namespace)
    ]
    if len(candidates) == 1:
        return candidates[0]
    raise UnknownEntityError(ref, candidates or suggestions(known, ref))


def suggestions(known: KnownRefs, wanted: str) -> list[str]:
    """Up to five known refs whose names are close to the name in ``wanted`` (a ref or a name).

    Names only: compared as whole refs, anything looked close to every ref sharing its
    ``component:default/`` prefix."""
    name = _name(wanted)
    refs = sorted(known.near(name))
    by_name: dict[str, list[str]] = {}
    for ref in refs:
        by_name.setdefault(_name(ref), []).append(ref)
    close = [
        ref
        for match in difflib.get_close_matches(name, list(by_name), n=MAX_SUGGESTIONS, cutoff=0.6)
        for ref in by_name[match]
    ]
    return list(dict.fromkeys(close))[:MAX_SUGGESTIONS]


def _kind(ref: str) -> str:
    return ref.split(":", 1)[0]


def _namespace(ref: str) -> str:
    return ref.split(":", 1)[-1].split("/", 1)[0]


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


SHORTLIST = 200  # names compared by difflib after DuckDB's Jaro-Winkler pre-selection
SHORTLIST_SIMILARITY = 0.7


class DatabaseRefs:
    """The entities of the store's ``entities`` view."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def has(self, ref: str) -> bool:
        found = self.con.execute("SELECT 1 FROM entities WHERE ref = ?", [ref]).fetchone()
        return found is not None

    def named(self, name: str) -> list[str]:
        rows = self.con.execute(
            "SELECT ref FROM entities WHERE lower(name) = ? ORDER BY ref", [name]
        ).fetchall()
        return [str(row[0]) for row in rows]

    def all(self) -> Iterable[str]:
        return [str(row[0]) for row in self.con.execute("SELECT ref FROM entities").fetchall()]

    def near(self, name: str) -> Iterable[str]:
        # one vectorised pass in DuckDB instead of difflib over every ref (2-3 CPU-s at 50k)
        rows = self.con.execute(
            "SELECT ref FROM (SELECT ref, jaro_winkler_similarity(lower(name), ?) AS similarity "
            "FROM entities) WHERE similarity >= ? ORDER BY similarity DESC, ref LIMIT ?",
            [name, SHORTLIST_SIMILARITY, SHORTLIST],
        ).fetchall()
        return [str(row[0]) for row in rows]


def resolve_ref(
    con: duckdb.DuckDBPyConnection, text: str, *, default_kind: str = DEFAULT_KIND
) -> str:
    """The canonical ref of an existing entity named by ``text`` (see the module docstring)."""
    return resolve_in(DatabaseRefs(con), text, default_kind=default_kind)
