"""The dependency graph cached in a file, so a CLI command does not rebuild it (seconds at
50,000 entities) every time it runs.

The file lives in the state directory (``<state_dir>/graph.cache``) and holds the graph's
columns and adjacency as raw ``array('i')`` bytes plus its lookups (owners, on-call, levels),
written with :mod:`marshal`. It is keyed by the catalog's fingerprint — the topology and
annotation fingerprints ``GraphCache`` already uses, the database's first run (so a database
that was deleted and ingested again never matches) and its schema version — and by the format,
the Python version (marshal's format is per version) and a digest of the modules that build
the graph. When only the annotations changed (a scorecard run changes levels; a source run
that changed no entity or relation changes owners or on-call) the cached topology is kept and
just those lookups are reloaded. Anything else that does not match, does not parse or fails its
checksum is ignored and the graph is built from the store and written again: the file is never
trusted across versions, and a stale or corrupt file costs one rebuild, never a wrong answer.

Writes go to a temporary file renamed over the old one, so concurrent readers see a whole
file; a state directory that cannot be written just means no cache.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import hashlib
import marshal
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb

from graph import loading
from graph.model import Adjacency, CatalogGraph, NodeTable

FORMAT = 1
MAGIC = b"steward-graph\x00"
CACHE_NAME = "graph.cache"
_HEADER_LENGTH = struct.Struct("<I")
_BUILDERS = ("model.py", "loading.py", "cache_file.py")


def cache_path(state_dir: Path) -> Path:
    return state_dir / CACHE_NAME


def catalog_key(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """(topology fingerprint, annotations fingerprint, database identity): three cheap
    queries; the graph cached under an equal key is the graph ``build_graph`` would build."""
    views = loading.existing_views(con)
    identity = con.execute(
        "SELECT (SELECT max(version) FROM schema_version), "
        "(SELECT min(started_at)::VARCHAR FROM runs)"
        if {"schema_version", "runs"} <= views
        else "SELECT NULL, NULL"
    ).fetchall()
    return (
        loading.topology_fingerprint(con),
        loading.annotations_fingerprint(con, views),
        tuple(identity[0]) if identity else (),
    )


def _code_digest() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for name in _BUILDERS:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _stamp(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """What must match before anything of the file is used: format, Python, code, topology and
    database identity; then the annotations (owners and on-call change with a source run that
    stored data, levels with a scorecard run), which can be reloaded over a cached topology."""
    topology, annotations, identity = key
    return (
        FORMAT,
        sys.version,
        _code_digest(),
        repr(topology),
        repr(identity),
        repr(tuple(annotations)[:2]),
        repr(annotations),
    )


def save(graph: CatalogGraph, path: Path, key: tuple[Any, ...]) -> bool:
    """Write ``graph`` under ``key``; False (and no file) when the directory is not writable."""
    refs = graph.refs
    if isinstance(graph.nodes, NodeTable):
        columns: tuple[Any, ...] = graph.nodes.columns
    else:
        columns = tuple(map(list, zip(*graph.nodes, strict=True))) or ([],) * 8
    deps, dependents = graph.dependencies, graph.dependents
    if not isinstance(deps, Adjacency) or not isinstance(dependents, Adjacency):
        raise TypeError("only a graph with compressed adjacency can be cached")
    # Equal strings as one object: marshal then writes each once and refers back to it, and a
    # load makes each once (refs recur as dict keys; kinds, owners and levels recur a lot).
    interned: dict[str, str] = {}

    def same(value: Any) -> Any:
        if isinstance(value, str):
            return interned.setdefault(value, value)
        if isinstance(value, tuple):
            return tuple(map(same, value))
        return value

    payload = marshal.dumps(
        {
            "nodes": (*(list(map(same, c)) for c in columns[:7]), bytes(map(bool, columns[7]))),
            "edges": tuple(array("i", column).tobytes() for column in graph.edges),
            "dependencies": deps.offsets.tobytes(),
            "dependents": (dependents.offsets.tobytes(), dependents.targets.tobytes()),
            "group_parents": {same(k): same(v) for k, v in graph.group_parents.items()},
            "owners": {same(k): same(v) for k, v in graph.owners.items()},
            "oncall": {same(k): same(_oncall_row(o)) for k, o in graph.oncall.items()},
            "levels": {same(k): same(v) for k, v in graph.levels.items()},
            "count": len(refs),
        }
    )
    header = marshal.dumps((*_stamp(key), zlib.crc32(payload), len(payload)))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            out.write(MAGIC + _HEADER_LENGTH.pack(len(header)) + header)
            out.write(payload)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True


def _oncall_row(o: loading.OnCall) -> tuple[Any, ...]:
    return (
        o.service_id,
        o.service_name,
        o.escalation_policy_id,
        o.escalation_policy_name,
        o.escalation_levels,
        o.oncall_now,
    )


class Match(enum.Enum):
    """How much of a cached graph still holds for the catalog's key."""

    ALL = "all"
    LEVELS_DIFFER = "levels differ"
    """Same topology, owners and on-call: only the scorecard levels are to be reloaded."""
    ANNOTATIONS_DIFFER = "annotations differ"
    """Same topology: owners, on-call and levels are to be reloaded."""


def load(path: Path, key: tuple[Any, ...]) -> CatalogGraph | None:
    """The graph cached under exactly ``key``, or None (no file, another key, version or
    format, a damaged file)."""
    found = read(path, key)
    return found[0] if found is not None and found[1] is Match.ALL else None


def read(path: Path, key: tuple[Any, ...]) -> tuple[CatalogGraph, Match] | None:
    """The cached graph whose topology matches ``key`` and how far its annotations do, or None
    (no file, another topology, database, version or format, a damaged file)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _parse(memoryview(data), key)
    except (ValueError, TypeError, EOFError, KeyError, IndexError, struct.error):
        return None


def _parse(data: memoryview, key: tuple[Any, ...]) -> tuple[CatalogGraph, Match] | None:
    if bytes(data[: len(MAGIC)]) != MAGIC:
        return None
    start = len(MAGIC) + _HEADER_LENGTH.size
    (header_length,) = _HEADER_LENGTH.unpack(data[len(MAGIC) : start])
    header = marshal.loads(data[start : start + header_length])
    stamp = _stamp(key)
    if not isinstance(header, tuple) or len(header) != len(stamp) + 2:
        return None
    if header[:5] != stamp[:5]:
        return None
    if header[6] == stamp[6]:
        match = Match.ALL
    elif header[5] == stamp[5]:
        match = Match.LEVELS_DIFFER
    else:
        match = Match.ANNOTATIONS_DIFFER
    crc, length = header[len(stamp) :]
    payload = data[start + header_length :]
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of new tuples would trigger collections for nothing
    try:
        fields = marshal.loads(payload)
    finally:
        if collecting:
            gc.enable()
    n = fields["count"]
    columns = fields["nodes"]
    missing = list(map(bool, columns[7]))
    node_columns = (*columns[:7], missing)
    if len(node_columns) != 8 or any(len(column) != n for column in node_columns):
        return None
    a, b, label = (_ints(raw) for raw in fields["edges"])
    dependencies = Adjacency(_ints(fields["dependencies"]), b)
    dependents = Adjacency(*(_ints(raw) for raw in fields["dependents"]))
    edges = len(a)
    for adjacency in (dependencies, dependents):
        offsets = adjacency.offsets
        if len(offsets) != n + 1 or offsets[-1] != edges or len(adjacency.targets) != edges:
            return None
    if len(b) != edges or len(label) != edges:
        return None
    graph = CatalogGraph(
        nodes=NodeTable(node_columns),
        dependencies=dependencies,
        dependents=dependents,
        edges=(a, b, label),
        group_parents=fields["group_parents"],
        owners=fields["owners"],
        oncall=OnCallTable(fields["oncall"]),
        levels=fields["levels"],
        fingerprint=key[0],
        annotations_fingerprint=key[1] if match is Match.ALL else (),
    )
    return graph, match


class OnCallTable(Mapping[str, loading.OnCall]):
    """ref -> OnCall, kept as the file's tuples; an OnCall is made when one is read."""

    __slots__ = ("_rows",)

    def __init__(self, rows: dict[str, tuple[Any, ...]]) -> None:
        self._rows = rows

    def __getitem__(self, ref: str) -> loading.OnCall:
        sid, sname, pid, pname, levels, now = self._rows[ref]
        return loading.OnCall(sid, sname, pid, pname, levels, tuple(now))

    def __contains__(self, ref: object) -> bool:
        return ref in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _ints(raw: bytes) -> array[int]:
    out = array("i")
    out.frombytes(raw)
    return out


def cached_graph(con: duckdb.DuckDBPyConnection, state_dir: Path) -> CatalogGraph:
    """The graph of ``con``'s database: from the cache file when its key matches; with only its
    levels (a scorecard run) or its owners and on-call (a source run that changed no entity or
    relation) reloaded when just those changed; else built from the store
    (``graph.build_graph``). Written back to the file for the next command unless it matched.
    ``con`` must see one state of the database throughout (a read-only connection, a
    published snapshot, or a transaction)."""
    from graph.build import build_graph, load_annotations

    key = catalog_key(con)
    path = cache_path(state_dir)
    found = read(path, key)
    if found is not None and found[1] is Match.ALL:
        return found[0]
    if found is None:
        graph = build_graph(con, with_networkx=False)
    else:
        graph, match = found
        views = loading.existing_views(con)
        if match is Match.LEVELS_DIFFER:
            graph.levels = loading.load_levels(con, views)
            graph.annotations_fingerprint = key[1]
        else:
            load_annotations(con, graph, views)
    save(graph, path, key)
    return graph
