"""Issue 3 benchmark: ingest 50,000 entities in 5,000 repositories vs. yaml.CSafeLoader alone.

Run: ``python -m benchmarks.bench_ingest [--repos N]``. Prints one JSON line. Measured in one
run, on the same files: (1) reading + parsing every file with ``yaml.CSafeLoader``, (2) a cold
``steward ingest`` of the catalog_files source into a new DuckDB file (no parse cache), (3) a
re-ingest with nothing changed, (4) a re-ingest after one file changed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.generate_org import generate
from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source


def _csafeloader_seconds(files: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    docs = 0
    for file in files:
        docs += sum(1 for d in yaml.load_all(file.read_text("utf-8"), Loader=yaml.CSafeLoader) if d)
    return time.perf_counter() - start, docs


def _ingest_seconds(store: Store, root: Path, state: Path) -> tuple[float, str, dict[str, int]]:
    config = CatalogFilesConfig(type="catalog_files", roots=[root])
    start = time.perf_counter()
    outcome = run_source(store, "catalog", CatalogFilesSource(config), state_dir=state)
    return time.perf_counter() - start, outcome.status, dict(outcome.report.counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "org"
        generate(root, repos=args.repos)
        files = sorted(root.rglob("catalog-info.yaml"))
        baseline, docs = _csafeloader_seconds(files)
        with Store(Path(tmp) / "bench.duckdb") as store:
            state = Path(tmp) / "state"
            cold, status, counts = _ingest_seconds(store, root, state)
            assert status == "ok", status
            warm, warm_status, _ = _ingest_seconds(store, root, state)
            assert warm_status == "unchanged", warm_status
            changed = files[len(files) // 2]
            changed.write_text(changed.read_text() + "\n# touched\n")
            one_changed, _, _ = _ingest_seconds(store, root, state)
            entities = store.connection.execute("SELECT count(*) FROM entities").fetchone()
    result = {
        "benchmark": "ingest_catalog_files",
        "files": len(files),
        "documents": docs,
        "entities_stored": entities[0] if entities else None,
        "relations": counts.get("relations"),
        "csafeloader_parse_s": round(baseline, 2),
        "ingest_cold_s": round(cold, 2),
        "ratio_vs_csafeloader": round(cold / baseline, 2),
        "reingest_unchanged_s": round(warm, 2),
        "reingest_one_file_changed_s": round(one_changed, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
