"""Entity refs in paths: ``{kind}/{namespace}/{name}`` as Backstage writes entity routes.

Malformed (not a valid kind, namespace or name) → 400; well-formed but unknown → 404 with the
closest refs the catalog knows.
"""

from __future__ import annotations

import difflib
import re

import duckdb

from service.api.problems import ApiProblem

_KIND = re.compile(r"^[a-zA-Z][a-z0-9A-Z]*$")
_NAMESPACE = re.compile(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$")
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
MAX_SUGGESTIONS = 5


def path_ref(kind: str, namespace: str, name: str) -> str:
    """The canonical ``kind:namespace/name`` of a path's parts, or a 400 problem."""
    namespace = namespace.lower()
    problems = []
    if not _KIND.match(kind):
        problems.append(f"kind {kind!r} is not a valid entity kind")
    if len(namespace) > 63 or not _NAMESPACE.match(namespace):
        problems.append(f"namespace {namespace!r} is not a valid namespace")
    if len(name) > 63 or not _NAME.match(name):
        problems.append(f"name {name!r} is not a valid entity name")
    if problems:
        raise ApiProblem(400, "malformed entity ref: " + "; ".join(problems))
    return f"{kind.lower()}:{namespace}/{name.lower()}"


def require_entity(cur: duckdb.DuckDBPyConnection, ref: str) -> str:
    """``ref`` if the catalog has it, else a 404 problem naming close refs."""
    if cur.execute("SELECT 1 FROM entities WHERE ref = ?", [ref]).fetchone():
        return ref
    raise ApiProblem(404, f"unknown entity {ref}", ref=ref, suggestions=close_refs(cur, ref))


def close_refs(cur: duckdb.DuckDBPyConnection, ref: str) -> list[str]:
    kind = ref.split(":", 1)[0]
    name = ref.rsplit("/", 1)[-1]
    refs = [str(r[0]) for r in cur.execute("SELECT ref FROM entities").fetchall()]
    same_kind = [r for r in refs if r.startswith(kind + ":")] or refs
    by_name: dict[str, list[str]] = {}
    for candidate in same_kind:
        by_name.setdefault(candidate.rsplit("/", 1)[-1], []).append(candidate)
    found = difflib.get_close_matches(ref, same_kind, n=MAX_SUGGESTIONS, cutoff=0.6)
    for close in difflib.get_close_matches(name, list(by_name), n=MAX_SUGGESTIONS, cutoff=0.6):
        found.extend(sorted(by_name[close]))
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]
