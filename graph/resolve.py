"""Lenient ref lookup for people typing refs: ``name``, ``kind:name``, ``ns/name``,
``kind:ns/name``, any case. Kind defaults to ``component`` and namespace to ``default`` as in
Backstage; when that names nothing and the kind or namespace was left out, a unique entity with
that name (in that namespace / of that kind) is taken instead.
"""

from __future__ import annotations

import difflib

from catalog.errors import UnknownEntityError
from catalog.refs import EntityRefError, parse_entity_ref
from graph.model import CatalogGraph

DEFAULT_KIND = "component"
MAX_SUGGESTIONS = 5


def resolve_ref(graph: CatalogGraph, text: str) -> str:
    """The canonical ref of the node ``text`` names, or :class:`UnknownEntityError`."""
    raw = text.strip()
    try:
        parsed = parse_entity_ref(raw, default_kind=DEFAULT_KIND)
    except EntityRefError:
        raise UnknownEntityError(raw, _suggestions(graph, raw.lower())) from None
    ref = parsed.canonical()
    if ref in graph.ids:
        return ref
    explicit_kind = ":" in raw.split("/", 1)[0]
    explicit_namespace = "/" in raw
    kind, namespace, name = parsed.kind.lower(), parsed.namespace.lower(), parsed.name.lower()
    candidates = [
        node.ref
        for node in graph.nodes
        if node.name.lower() == name
        and (not explicit_kind or node.kind == kind)
        and (not explicit_namespace or node.namespace == namespace)
    ]
    if len(candidates) == 1:
        return candidates[0]
    raise UnknownEntityError(ref, candidates or _suggestions(graph, name))


def _suggestions(graph: CatalogGraph, name: str) -> list[str]:
    by_name: dict[str, list[str]] = {}
    for node in graph.nodes:
        by_name.setdefault(node.name.lower(), []).append(node.ref)
    close = difflib.get_close_matches(name, list(by_name), n=MAX_SUGGESTIONS, cutoff=0.6)
    return [ref for match in close for ref in sorted(by_name[match])][:MAX_SUGGESTIONS]
