"""The one table ``make bench`` prints: a row per figure, S/M/L columns, floor or peer, target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# target at L: (key, comparison, value)
TARGETS: dict[str, tuple[str, float]] = {
    "ingest_full_s": ("<=", 30.0),
    "ingest_unchanged_s": ("<=", 3.0),
    "ingest_1pct_s": ("<=", 5.0),
    "catalog_vs_floor": ("<=", 2.0),
    "scorecards_s": ("<=", 3.0),
    "blast_api_p95_ms": ("<=", 10.0),
    "api_p95_during_ingest_ms": ("<=", 25.0),
    "scorecards_p95_during_ingest_ms": ("<=", 25.0),
    "codeowners_deep_x": (">=", 10.0),
    "codeowners_flat_x": (">=", 10.0),
    "codeowners_large_tree_x": (">=", 10.0),
    "codeowners_large_flat_x": (">=", 10.0),
    "startup_s": ("<=", 0.3),
    "serve_peak_rss_mb": ("<=", 1536.0),
}

Getter = Callable[[dict[str, Any]], float | None]


def _get(*path: str) -> Getter:
    def get(size: dict[str, Any]) -> float | None:
        value: Any = size
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return float(value) if isinstance(value, int | float) else None

    return get


def _ratio(num: Getter, den: Getter) -> Getter:
    def get(size: dict[str, Any]) -> float | None:
        a, b = num(size), den(size)
        return a / b if a is not None and b else None

    return get


def _speedup(shape: str) -> Getter:
    """The package's time over Steward's on the monorepos of one tree shape: CPU time where the
    benchmark gives it (same process, one after the other: steadier on a shared machine), else
    wall time."""
    cpu = _ratio(
        _get("codeowners", shape, "package_cpu_s"), _get("codeowners", shape, "steward_cpu_s")
    )
    wall = _ratio(_get("codeowners", shape, "package_s"), _get("codeowners", shape, "steward_s"))

    def get(size: dict[str, Any]) -> float | None:
        value = cpu(size)
        return value if value is not None else wall(size)

    return get


def _catalog_s(size: dict[str, Any]) -> float | None:
    return _get("store", "sources", "catalog", "s")(size)


def _per_route(size: dict[str, Any]) -> str:
    routes = size.get("api_routes_during_ingest") or {}
    if not routes:
        return ""
    return "; per route p95: " + ", ".join(
        f"{name} {r.get('p95_ms', 0):.1f} ms ({r.get('requests', 0):,})"
        for name, r in routes.items()
    )


def _serve_peak(size: dict[str, Any]) -> float | None:
    """The serve tree's peak over the whole run (read again after the scorecards phase)."""
    return _get("serve_peak_rss_end_mb")(size) or _get("serve_peak_rss_mb")(size)


def _floor_text(report: dict[str, Any], size: dict[str, Any], key: str) -> str:
    f = size.get("floor_csafeloader", {})
    b = size.get("floor_bulk_load", {})
    co = size.get("codeowners", {})
    st = report.get("startup", {})
    if key == "ingest_full_s":
        return (
            f"CSafeLoader parse {f.get('parse_s', 0):.2f} s + DuckDB bulk load "
            f"{b.get('load_s', 0):.2f} s of the same {b.get('rows', 0):,} rows"
        )
    if key in ("ingest_unchanged_s", "ingest_1pct_s"):
        run = size.get("store_unchanged" if key == "ingest_unchanged_s" else "store_1pct", {})
        parts = [
            f"{name} {v.get('s', 0):.1f} s ({v.get('status')})"
            for name, v in run.get("sources", {}).items()
        ]
        aws = size.get("floor_aws_listing", {})
        floor = (
            f"floor: listing the AWS stand-in's {aws['resources']:,} resources alone with "
            f"boto3's paginator ({aws['pages']:,} pages; the Tagging API has no \"changed "
            f'since") {aws["process_s"]:.2f} s as a process, {aws["cpu_s"]:.2f} CPU-s; '
            if aws.get("resources")
            else ""
        )
        return (
            floor + "each source's run closed this long after the store phase began "
            "(`ingest_runs.duration_ms`; collected before, concurrently, then stored one at a "
            "time): " + ", ".join(parts)
            if parts
            else floor
        )
    if key == "catalog_vs_floor":
        return (
            f"catalog run as recorded {_catalog_s(size) or 0:.2f} s vs CSafeLoader parse-only "
            f"{f.get('parse_s', 0):.2f} s ({f.get('files', 0):,} files); since `steward ingest` "
            "collects before opening the database, the record holds the store step only"
        )
    if key.startswith("codeowners_large_"):
        shape = size.get("codeowners_large", {}).get(key.split("_")[2], {})
        if not shape:
            return ""
        return (
            f"PyPI codeowners {shape.get('package_total_s', 0):.2f} s vs Steward "
            f"{shape.get('steward_total_s', 0):.3f} s; {shape.get('directories', 0):,} "
            f"directories, {shape.get('differences', 0)} differing (`bench_codeowners`)"
        )
    if key.startswith("codeowners_"):
        shape = co.get(key.split("_")[1], {})
        cpu = (
            f" (CPU {shape['package_cpu_s']:.2f} s vs {shape['steward_cpu_s']:.3f} s)"
            if "package_cpu_s" in shape
            else ""
        )
        return (
            f"PyPI codeowners {shape.get('package_s', 0):.2f} s vs Steward "
            f"{shape.get('steward_s', 0):.3f} s wall{cpu}, parse + match; "
            f"{shape.get('paths', 0):,} paths, {shape.get('files_per_dir', 0)} files/dir, "
            f"{shape.get('differences', 0)} differing" + (f" (`{co['by']}`)" if "by" in co else "")
        )
    if key == "startup_s":
        return (
            f"`python -c pass` {st.get('python_bare_s', 0):.3f} s, "
            f"`import duckdb` {st.get('python_import_duckdb_s', 0):.3f} s"
        )
    if key == "publish_s":
        return f"snapshot {size.get('snapshot_bytes', 0) / 2**20:.0f} MiB"
    if key == "history_mb_per_run":
        g = size.get("history_growth", {})
        rows = {k: sum(v.get("rows", {}).values()) for k, v in g.items()}
        sc = g.get("scorecard_run", {})
        return (
            f"database bytes added by an ingest with no change / 1 % changed; rows added: "
            f"{rows.get('unchanged', 0):,} / {rows.get('1pct', 0):,}; a scorecard run adds "
            f"{rows.get('scorecard_run', 0):,} rows, {sc.get('bytes', 0) / 2**20:.0f} MiB"
        )
    if key == "scorecards_s":
        return (
            f"DuckDB bulk load of the same {b.get('scorecard_rows', 0):,} result rows "
            f"{b.get('scorecard_load_s', 0):.2f} s"
        )
    if key == "blast_api_p95_ms":
        return f"in-process p95 {size.get('blast_inprocess_p95_ms', 0):.1f} ms (same graph)"
    if key == "api_p95_during_ingest_ms":
        if "serve_error" in size:
            return f"not measured: {size['serve_error']}"
        if "api_requests_during_ingest" not in size:
            return ""
        return (
            f"{size['api_requests_during_ingest']:,} requests, "
            f"{size.get('api_errors_during_ingest', 0)} errors, "
            f"{size.get('api_unfinished_during_ingest', 0):,} unanswered 15 s after the load, p50 "
            f"{size.get('api_p50_during_ingest_ms', 0):.1f} ms; the triggered ingest of the 4 "
            f"sources took {size.get('ingest_under_load_s', 0):.1f} s under load (the load "
            "stops with it, at 120 s at most)" + _per_route(size)
        )
    if key == "scorecards_p95_during_ingest_ms":
        if "scorecards_requests_during_ingest" not in size:
            return ""
        return (
            f"{size['scorecards_requests_during_ingest']:,} requests in "
            f"{size.get('scorecards_load_s', 0):.0f} s, "
            f"{size.get('scorecards_errors_during_ingest', 0)} errors, "
            f"{size.get('scorecards_unfinished_during_ingest', 0):,} unanswered, p50 "
            f"{size.get('scorecards_p50_during_ingest_ms', 0):.1f} ms; "
            f"{size.get('scorecards_ingests', 0)} ingests of the 4 sources triggered back to "
            f"back ({size.get('scorecards_ingest_s', 0):.1f} s)"
        )
    if key == "parquet_export_s":
        if "parquet_rows" not in size:
            return ""
        return (
            f"read back with pyarrow {size.get('parquet_read_s', 0):.2f} s: "
            f"{size['parquet_rows']:,} rows, {size.get('parquet_files', 0)} files, "
            f"{size.get('parquet_bytes', 0) / 2**20:.0f} MiB"
        )
    if key == "serve_peak_rss_mb":
        parts = size.get("serve_peak_rss_end_parts_mb") or size.get("serve_peak_rss_parts_mb", {})
        peaks = [f"{mb:.0f}" for mb in parts.values()]  # the writer first, then its children
        named = f"writer {peaks[0]}, its children {' + '.join(peaks[1:])}" if peaks else ""
        sampled = size.get("serve_sampled_rss_peak_mb")
        seen = (
            f"; the largest sum of its processes' RSS at one moment (every 0.05 s, short-lived "
            f"children included) {sampled:.0f} MiB"
            if sampled is not None
            else ""
        )
        return (
            f"the larger of: the sum of its processes' peaks ({named} MiB){seen}; "
            f"`steward ingest` (full) {size.get('ingest_full_rss_mb', 0):.0f} MiB"
        )
    if key == "report_weekly_s":
        return ""
    if key == "blast_cli_p95_s":
        return f"graph build alone {size.get('graph_build_s', 0):.2f} s; start-up in every command"
    return ""


ROWS: list[tuple[str, str, Getter, str]] = [
    ("ingest_full_s", "full ingest, all sources + pipeline (`steward ingest`)",
     _get("ingest_full_s"), "s"),
    ("catalog_vs_floor", "catalog stage ÷ CSafeLoader parse-only",
     _ratio(_catalog_s, _get("floor_csafeloader", "parse_s")), "x"),
    ("ingest_unchanged_s", "re-ingest, nothing changed (command)", _get("ingest_unchanged_s"), "s"),
    ("ingest_1pct_s", "re-ingest, 1 % of repos changed (command)", _get("ingest_1pct_s"), "s"),
    ("graph_build_s", "graph build (in-process, what each pipeline pays)",
     _get("graph_build_s"), "s"),
    ("blast_inprocess_p95_ms", "blast radius p95, in-process",
     _get("blast_inprocess_p95_ms"), "ms"),
    ("blast_cli_p95_s", "blast radius p95, `steward graph blast-radius`",
     _get("blast_cli_p95_s"), "s"),
    ("blast_api_p95_ms", "blast radius p95, HTTP request", _get("blast_api_p95_ms"), "ms"),
    ("scorecards_s", "scorecards, 25 checks (`steward scorecard run`)", _get("scorecards_s"), "s"),
    ("report_gaps_s", "ownership-gaps report (command)", _get("report_gaps_s"), "s"),
    ("report_weekly_s", "weekly report (command)", _get("report_weekly_s"), "s"),
    ("api_p95_during_ingest_ms", "API p95 at 200 rps during an ingest (the plugin's mix)",
     _get("api_p95_during_ingest_ms"), "ms"),
    ("scorecards_p95_during_ingest_ms",
     "entity-scorecards route p95, 200 rps for 30 s during ingests",
     _get("scorecards_p95_during_ingest_ms"), "ms"),
    ("publish_s", "snapshot publish (in-process)", _get("publish_s"), "s"),
    ("parquet_export_s", "Parquet export (`steward export parquet`)",
     _get("parquet_export_s"), "s"),
    ("history_mb_per_run", "history growth per run", _get("history_mb_per_run"), "MiB"),
    ("codeowners_deep_x", "CODEOWNERS vs PyPI package, generated monorepos, deep tree",
     _speedup("deep"), "x"),
    ("codeowners_flat_x", "CODEOWNERS vs PyPI package, generated monorepos, flat tree",
     _speedup("flat"), "x"),
    ("codeowners_large_tree_x", "… one 500-rule CODEOWNERS x 100,000 paths, tree",
     _get("codeowners_large", "tree", "speedup"), "x"),
    ("codeowners_large_flat_x", "… one 500-rule CODEOWNERS x 100,000 paths, flat",
     _get("codeowners_large", "flat", "speedup"), "x"),
    ("serve_peak_rss_mb", "peak RSS of `steward serve`", _serve_peak, "MiB"),
    ("startup_s", "CLI start-up (`steward --help`)", _get("steward_help_s"), "s"),
]  # fmt: skip


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms" or (unit == "s" and value < 1):
        digits = 3 if unit == "s" else 1
    else:
        digits = 2 if value < 10 else 1
    return f"{value:.{digits}f} {unit}" if unit != "x" else f"{value:.1f}x"


def verdict(key: str, value: float | None) -> str:
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    if value is None:
        return f"{op} {target:g}: not measured"
    met = value <= target if op == "<=" else value >= target
    return f"{op} {target:g}: {'met' if met else 'MISSED'}"


BACKSTAGE = (
    'its maintainers describe healthy catalog processing as "hundreds of entities per second" '
    "([backstage#27628](https://github.com/backstage/backstage/issues/27628)): minutes for "
    "50,000 entities; reference only (different work: processors, stitching, Postgres)"
)


def rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per figure: title, a value per size, the floor or peer at the largest size,
    and the verdict against the target (targets are for L: other sizes get none)."""
    sizes = report["sizes"]
    names = [n for n in ("S", "M", "L") if n in sizes]
    last = sizes[names[-1]] if names else {}
    at_l = bool(names) and names[-1] == "L"
    table = []
    for key, title, get, unit in ROWS:
        values = [get(sizes[n]) for n in names]
        if key == "startup_s":  # one figure for the whole run, not per organisation
            values = [None] * (len(names) - 1) + [get(report.get("startup", {}))]
        floor = _floor_text(report, last, key) if values and values[-1] is not None else ""
        if key == "api_p95_during_ingest_ms" and "serve_error" in last:
            floor = _floor_text(report, last, key)
        target = verdict(key, values[-1] if values else None) if at_l else ""
        table.append([title, *(_fmt(v, unit) for v in values), floor, target])
    table.append(
        ["Backstage catalog, for reference", *("-" for _ in names), BACKSTAGE, ""]
    )  # fmt: skip
    return table


def render(report: dict[str, Any]) -> str:
    names = [n for n in ("S", "M", "L") if n in report["sizes"]]
    entities = {
        n: report["sizes"][n].get("store", {}).get("counts", {}).get("entities") for n in names
    }
    header = ["figure", *(f"{n} ({entities[n] or '?':,} entities)" for n in names)]
    header += [f"floor / peer at {names[-1] if names else '-'} (same run)", "target at L"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows(report)]
    m = report.get("machine", {})
    load = m.get("load_before", [])
    lines.append(
        f"\n{report.get('started')} · {m.get('cpus')} CPUs ({m.get('cpu')}) · load average "
        f"{' / '.join(f'{x:.1f}' for x in load) or '?'} at the start, "
        f"{' / '.join(f'{x:.1f}' for x in m.get('load_after', [])) or '?'} at the end · Python "
        f"{m.get('python')} · whole run {report.get('seconds')} s"
    )
    for n in names:
        for what, error in report["sizes"][n].get("errors", {}).items():
            lines.append(f"\n{n}: step '{what}' failed: {error}")
    if len(names) > 1:
        lines.append(
            "S and M measure only the figures that grow with the organisation (ingests, graph, "
            "scorecards and their floors); '-' = not measured at that size."
        )
    return "\n".join(lines)
