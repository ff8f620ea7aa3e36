"""Floors and peers, each measured in a fresh process on the same data as the command beside it.

* ``csafeloader``: read and parse every catalog file the catalog source reads with
  ``yaml.CSafeLoader`` (libyaml), nothing else — the least any YAML-reading ingest must pay.
* ``duckdb_bulk_load``: the rows every snapshot table holds after the ingest, loaded from Arrow
  into a new DuckDB file with one ``CREATE TABLE … AS`` each — the least a store load must pay.
* ``codeowners``: Steward's matcher against the PyPI ``codeowners`` package on the monorepos'
  CODEOWNERS and their full file lists, per tree shape (deep: ~8 files per directory; flat:
  ~1.4), parse + every lookup, answers compared.
* ``aws_listing``: every resource of the Tagging API stand-in listed with boto3's own
  ``get_resources`` paginator (100 a page, as the source asks), region after region, nothing
  kept — the least any re-ingest that reads AWS must pay, since the Tagging API has no "changed
  since": a whole process, start-up included.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.measure import ROOT, json_tail, python, run

CSAFELOADER = r"""
import json, os, sys, time
from pathlib import Path
import yaml
data = Path(sys.argv[1])
start = time.perf_counter()
files = [data / "org" / "catalog-info.yaml"]
for dirpath, dirnames, filenames in os.walk(data / "repos"):
    dirnames[:] = [d for d in dirnames if d != ".git"]
    files += [Path(dirpath) / f for f in filenames
              if f in ("catalog-info.yaml", "catalog-info.yml")]
listed = time.perf_counter()
docs = errors = 0
for f in files:
    try:
        docs += sum(1 for d in yaml.load_all(f.read_text("utf-8"), Loader=yaml.CSafeLoader) if d)
    except yaml.YAMLError:
        errors += 1
end = time.perf_counter()
print(json.dumps({"files": len(files), "documents": docs, "broken_files": errors,
                  "walk_s": listed - start, "parse_s": end - listed}))
"""

BULK_LOAD = r"""
import json, sys, tempfile, time
from pathlib import Path
import duckdb
src = duckdb.connect(sys.argv[1], read_only=True)
tables = [r[0] for r in src.execute(
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_type = 'BASE TABLE' AND table_name LIKE '%_rows'").fetchall()]
arrow = {}
for t in tables:
    cols = [c[0] for c in src.execute(f'DESCRIBE "{t}"').fetchall()]
    if "valid_to" in cols:  # history-kept snapshot rows: the current ones, without bookkeeping
        sql = f'SELECT * EXCLUDE (valid_from, valid_to, row_hash) FROM "{t}" WHERE valid_to IS NULL'
    elif "run_id" in cols:  # per-run rows (scorecards): the last run's
        sql = f'SELECT * FROM "{t}" WHERE run_id = (SELECT max(run_id) FROM "{t}")'
    else:
        sql = f'SELECT * FROM "{t}"'
    arrow[t] = src.sql(sql).to_arrow_table()
src.close()
rows = sum(a.num_rows for a in arrow.values())
per_table = {}
with tempfile.TemporaryDirectory() as tmp:
    start = time.perf_counter()
    con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
    for name, table in arrow.items():
        t0 = time.perf_counter()
        con.register("batch", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM batch')
        con.unregister("batch")
        per_table[name] = (table.num_rows, time.perf_counter() - t0)
    con.close()
    seconds = time.perf_counter() - start
score = [v for k, v in per_table.items() if k.startswith("scorecard_")]
ingest = [v for k, v in per_table.items() if not k.startswith("scorecard_")]
print(json.dumps({"tables": len(arrow), "rows": sum(n for n, _ in ingest),
                  "load_s": sum(t for _, t in ingest),
                  "scorecard_rows": sum(n for n, _ in score),
                  "scorecard_load_s": sum(t for _, t in score), "all_s": seconds}))
"""

CODEOWNERS = r"""
import json, sys, time
from pathlib import Path
from codeowners import CodeOwners as Package
from ingest.codeowners import CodeOwners
data = Path(sys.argv[1])
monorepos = json.loads((data / "monorepos.json").read_text())
out = {}
for shape in ("deep", "flat"):
    ours = pkg = 0.0
    paths = dirs = differences = 0
    for name, repo in sorted(monorepos.items()):
        if repo["shape"] != shape or not repo["codeowners"]:
            continue
        text = (data / "repos" / name / repo["codeowners"]).read_text()
        files = repo["paths"]
        t0 = time.perf_counter()
        matcher = CodeOwners.parse(text)
        mine = [matcher.rule_for(p) for p in files]
        t1 = time.perf_counter()
        package = Package(text)
        theirs = [package.matching_line(p) for p in files]
        t2 = time.perf_counter()
        ours += t1 - t0
        pkg += t2 - t1
        paths += len(files)
        dirs += len({p.rpartition("/")[0] for p in files})
        for rule, (owners, _, _, _) in zip(mine, theirs):
            if (list(rule.owners) if rule else []) != [o for _, o in owners]:
                differences += 1
    out[shape] = {"paths": paths, "files_per_dir": round(paths / max(dirs, 1), 2),
                  "steward_s": ours, "package_s": pkg, "differences": differences}
print(json.dumps(out))
"""

AWS_LISTING = r"""
import json, sys, time
start = time.perf_counter()
import boto3
imported = time.perf_counter()
url, regions = sys.argv[1], sys.argv[2].split(",")
resources = pages = 0
for region in regions:
    client = boto3.client("resourcegroupstaggingapi", region_name=region, endpoint_url=url)
    for page in client.get_paginator("get_resources").paginate(ResourcesPerPage=100):
        resources += len(page["ResourceTagMappingList"])
        pages += 1
print(json.dumps({"resources": resources, "pages": pages, "regions": len(regions),
                  "import_s": imported - start, "cpu_s": time.process_time()}))
"""


def csafeloader(data: Path) -> dict[str, object]:
    return json_tail(python(CSAFELOADER, str(data)))


def duckdb_bulk_load(database: Path) -> dict[str, object]:
    return json_tail(python(BULK_LOAD, str(database)))


def aws_listing(url: str, regions: list[str], env: dict[str, str]) -> dict[str, object]:
    timing = python(AWS_LISTING, url, ",".join(regions), env=env)
    return {**json_tail(timing), "process_s": timing.seconds}


def codeowners(data: Path, size: str) -> dict[str, object]:
    """Per tree shape of the generated monorepos: ``bench_codeowners --monorepos SIZE`` (the
    codeowners helper's benchmark: the same CODEOWNERS and file lists, rebuilt in memory by
    ``benchmarks.generate``'s code, wall and CPU time, garbage collector kept out of the timed
    loops); where that option is missing, the same comparison on the files in ``data``."""
    timing = run(
        [sys.executable, "-m", "benchmarks.bench_codeowners", "--monorepos", size],
        cwd=ROOT,
        check=False,
    )
    if timing.returncode == 0:
        return {**json_tail(timing), "by": "bench_codeowners --monorepos"}
    return {**json_tail(python(CODEOWNERS, str(data))), "by": "floors.codeowners"}


def codeowners_large() -> dict[str, object]:
    """``bench_codeowners``: one 500-rule CODEOWNERS x 100,000 paths, tree and flat layouts."""
    out: dict[str, object] = {}
    for layout in ("tree", "flat"):
        timing = run([sys.executable, "-m", "benchmarks.bench_codeowners", "--layout", layout],
                     cwd=ROOT)  # fmt: skip
        result = json_tail(timing)
        out[layout] = {
            k: result[k]
            for k in ("rules", "paths", "directories", "steward_total_s", "package_total_s",
                      "speedup", "differences")
        }  # fmt: skip
    return out
