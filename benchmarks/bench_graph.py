"""Issue 6 benchmark: graph build and blast-radius latency on 50,000 entities.

Run: ``python -m benchmarks.bench_graph [--graph layered|generated] [--queries N]``. Prints
one JSON line. (``make bench`` measures the graph on organisation L as whole commands; this is
the in-process view of the graph alone.)

* ``layered`` (default): a generated org loaded straight into a Store through its bulk snapshot
  path: 400 teams, 10 domains, 500 systems, per system 10 resources, 10 APIs and ~78 components
  in four tiers. A component depends on 1-2 lower-tier components and one resource of its
  system, consumes one API of another system of its domain, and 1 in 20 also depends on one of
  20 shared platform components. ~50k entities, ~200k dependency edges.
* ``generated``: organisation L of ``benchmarks.generate`` ingested with the real catalog_files
  source: dependencies with power-law fan-in (a few platform services have thousands of
  dependents) and 0.1 % of edges pointing upwards.

Build = the five set-based queries plus adjacency lists (what every ingest pays); the networkx
view, built on first use by exports and whole-graph queries, is timed separately. A blast-radius
query includes ref resolution, the walk, one path per impacted entity, owner/on-call/level
lookups and the team summary.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from catalog.store import Store
from catalog.store.migrations import SNAPSHOT_TABLES
from graph import blast_radius, build_graph

TIERS = 4


def _layered_rows(seed: int) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    rng = random.Random(seed)
    entities: dict[str, list[Any]] = {k: [] for k in SNAPSHOT_TABLES["entity_rows"].column_names}
    relations: dict[str, list[Any]] = {"source_ref": [], "type": [], "target_ref": []}

    def entity(kind: str, name: str, owner: str | None, lifecycle: str | None = None,
               system: str | None = None) -> str:  # fmt: skip
        ref = f"{kind}:default/{name}"
        for key, value in (
            ("ref", ref), ("kind", kind), ("namespace", "default"), ("name", name),
            ("title", None), ("description", None), ("type", "service"),
            ("lifecycle", lifecycle), ("owner", owner), ("system", system), ("tags", []),
            ("entity", {"kind": kind, "metadata": {"name": name}}),
            ("location", "bench"), ("line", 1),
        ):  # fmt: skip
            entities[key].append(value)
        if owner:
            relate(ref, "ownedBy", "ownerOf", owner)
        if system:
            relate(ref, "partOf", "hasPart", system)
        return ref

    def relate(source: str, forward: str, backward: str, target: str) -> None:
        relations["source_ref"] += [source, target]
        relations["type"] += [forward, backward]
        relations["target_ref"] += [target, source]

    teams = [entity("group", f"team-{t:03d}", None) for t in range(400)]
    lifecycles = ("production", "production", "production", "experimental", "deprecated")
    systems_per_domain = 50
    components: list[list[list[str]]] = []  # system -> tier -> refs
    apis: list[list[str]] = []
    platform: list[str] = []
    for d in range(10):
        domain = entity("domain", f"domain-{d:02d}", teams[d])
        for s in range(systems_per_domain):
            si = d * systems_per_domain + s
            team = teams[si % len(teams)]
            system = entity("system", f"system-{si:03d}", team)
            relate(system, "partOf", "hasPart", domain)
            resources = [
                entity("resource", f"db-{si:03d}-{r}", team, "production", system)
                for r in range(10)
            ]
            tiers: list[list[str]] = [[] for _ in range(TIERS)]
            for c in range(78 if si % 10 else 79):
                tier = c % TIERS
                ref = entity("component", f"svc-{si:03d}-{c:02d}", team, lifecycles[c % 5], system)
                relate(ref, "dependsOn", "dependencyOf", rng.choice(resources))
                below = [x for t in tiers[:tier] for x in t]
                for dep in {rng.choice(below) for _ in range(rng.randint(1, 2))} if below else ():
                    relate(ref, "dependsOn", "dependencyOf", dep)
                tiers[tier].append(ref)
                if si == 0 and tier == 0 and len(platform) < 20:
                    platform.append(ref)
            system_apis = []
            for a in range(10):
                api = entity("api", f"api-{si:03d}-{a}", team, "production", system)
                relate(tiers[0][a], "providesApi", "apiProvidedBy", api)
                system_apis.append(api)
            components.append(tiers)
            apis.append(system_apis)
    for si, tiers in enumerate(components):
        d = si // systems_per_domain
        for members in tiers:
            for ref in members:
                other = d * systems_per_domain + rng.randrange(systems_per_domain)
                if other != si:
                    relate(ref, "consumesApi", "apiConsumedBy", rng.choice(apis[other]))
                if rng.random() < 0.05 and ref not in platform:
                    relate(ref, "dependsOn", "dependencyOf", rng.choice(platform))
    return entities, relations


def _load_layered(store: Store, seed: int) -> None:
    entities, relations = _layered_rows(seed)
    run = store.begin_run("bench", "bench")
    store.finish_run(
        run, status="ok", snapshot={"entity_rows": entities, "relation_rows": relations}
    )


def _load_generated(store: Store, tmp: Path) -> None:
    from benchmarks.generate import ensure
    from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
    from ingest.runner import run_source

    data = ensure("L", changed_ok=True)
    config = CatalogFilesConfig(type="catalog_files", roots=[data / "org", data / "repos"])
    outcome = run_source(store, "catalog", CatalogFilesSource(config), state_dir=tmp / "state")
    assert outcome.status == "ok", outcome.message


def _ms(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--graph", choices=("layered", "generated"), default="layered")
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        if args.graph == "layered":
            _load_layered(store, args.seed)
        else:
            _load_generated(store, Path(tmp))
        con = store.connection
        builds = []
        for _ in range(3):
            start = time.perf_counter()
            graph = build_graph(con, with_networkx=False)
            builds.append(time.perf_counter() - start)
        start = time.perf_counter()
        _ = graph.digraph
        networkx_s = time.perf_counter() - start
        rng = random.Random(args.seed)
        refs = [n.ref for n in graph.nodes if not n.missing]
        sample = [rng.choice(refs) for _ in range(args.queries)]
        times: list[float] = []
        sizes: list[int] = []
        for ref in sample:
            start = time.perf_counter()
            result = blast_radius(graph, ref)
            result.summary()
            times.append(time.perf_counter() - start)
            sizes.append(len(result.impacted))
    print(
        json.dumps(
            {
                "benchmark": "graph",
                "graph": args.graph,
                "entities": sum(1 for n in graph.nodes if not n.missing),
                "edges": graph.edge_count,
                "build_s": round(min(builds), 3),
                "build_s_max": round(max(builds), 3),
                "networkx_view_s": round(networkx_s, 3),
                "queries": len(times),
                "blast_radius_p50_ms": _ms(times, 50),
                "blast_radius_p95_ms": _ms(times, 95),
                "blast_radius_max_ms": round(max(times) * 1000, 2),
                "impacted_p50": int(statistics.median(sizes)),
                "impacted_p95": sorted(sizes)[int(len(sizes) * 0.95) - 1],
                "impacted_max": max(sizes),
            }
        )
    )


if __name__ == "__main__":
    main()
