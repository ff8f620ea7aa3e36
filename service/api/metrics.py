"""``/metrics`` in Prometheus text: request latency by route, and the catalog's state read
from the store at scrape time (ingest runs per source, entities, open gaps by type).

Each app has its own registry, so several apps (tests) never share counters. Labels carry
source names, kinds, gap types and route templates only: never a URL, a token or a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import duckdb
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.api.protocol import ServiceLike

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ApiMetrics:
    def __init__(self, service: ServiceLike) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "steward_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(StoreCollector(service))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route, str(status)).observe(seconds)


class StoreCollector(Collector):
    def __init__(self, service: ServiceLike) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        try:
            with self.service.reader() as cur:
                yield from _ingest_metrics(cur)
                yield from _catalog_metrics(cur)
        except duckdb.Error:
            up = GaugeMetricFamily("steward_store_up", "whether the store answered the scrape")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("steward_store_up", "whether the store answered the scrape")
        up.add_metric([], 1)
        yield up


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


def _ingest_metrics(cur: duckdb.DuckDBPyConnection) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "steward_ingest_runs", "ingest runs by source and status", labels=["source", "status"]
    )
    for source, status, n in cur.execute(
        "SELECT source, status, count(*) FROM ingest_runs GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        runs.add_metric([source, status], n)
    yield runs
    errors = CounterMetricFamily(
        "steward_ingest_errors", "errors reported by ingest runs", labels=["source"]
    )
    duration = GaugeMetricFamily(
        "steward_ingest_last_duration_seconds",
        "duration of the last finished run",
        labels=["source"],
    )
    records = GaugeMetricFamily(
        "steward_ingest_last_records",
        "records stored by the last finished run, by table",
        labels=["source", "table"],
    )
    success = GaugeMetricFamily(
        "steward_ingest_last_success_timestamp_seconds",
        "when the source last finished successfully (unix time)",
        labels=["source"],
    )
    rows = cur.execute(
        """
        SELECT source, sum(error_count),
               arg_max(duration_ms, run_id) FILTER (WHERE finished_at IS NOT NULL),
               arg_max(record_counts, run_id) FILTER (WHERE finished_at IS NOT NULL),
               max(finished_at) FILTER (WHERE status IN ('ok', 'unchanged'))
        FROM ingest_runs GROUP BY source ORDER BY source
        """
    ).fetchall()
    for source, error_count, duration_ms, counts, last_ok in rows:
        errors.add_metric([source], float(error_count or 0))
        duration.add_metric([source], (duration_ms or 0) / 1000)
        for table, n in sorted((json.loads(counts) if counts else {}).items()):
            if isinstance(n, int | float):
                records.add_metric([source, table], n)
        success.add_metric([source], _ts(last_ok))
    yield from (errors, duration, records, success)


def _catalog_metrics(cur: duckdb.DuckDBPyConnection) -> Iterator[Metric]:
    entities = GaugeMetricFamily("steward_entities", "entities in the catalog", labels=["kind"])
    for kind, n in cur.execute(
        "SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind"
    ).fetchall():
        entities.add_metric([kind], n)
    yield entities
    gaps = GaugeMetricFamily(
        "steward_ownership_gaps_open", "open ownership gaps by type", labels=["gap"]
    )
    for gap, n in cur.execute(
        "SELECT gap, count(*) FROM gap_episodes WHERE closed_at IS NULL GROUP BY gap ORDER BY gap"
    ).fetchall():
        gaps.add_metric([gap], n)
    yield gaps
