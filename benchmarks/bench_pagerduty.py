"""Issue 5 benchmark: 5,000 PagerDuty services (+ policies, teams, members, on-calls) ingested.

Run: ``python -m benchmarks.bench_pagerduty [--services N]``. Prints one JSON line. The fake
PagerDuty (``standins.pagerduty``) serves a generated account on 127.0.0.1, without
Prism; the source walks it with the default page size (100) through the real runner into a new
DuckDB file. ``store_load_s`` replays the same records into another new DuckDB file, so it is the
store's share alone (Arrow staging + set-based snapshot replacement).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from catalog.store import Store
from ingest.pagerduty import PagerDutyConfig, PagerDutySource
from ingest.records import Record
from ingest.runner import run_source
from ingest.source import SourceContext
from standins.pagerduty import FakePagerDuty

TOKEN = "bench-token-0123456789"


def account(services: int) -> dict[str, Any]:
    """``services`` services over services/5 policies (2 levels), services/10 teams of 5."""
    n_teams, n_policies = max(1, services // 10), max(1, services // 5)
    users = [
        {"id": f"PU{i:05d}", "name": f"User {i}", "email": f"user{i}@bench.example"}
        for i in range(n_teams * 5)
    ]
    teams = [
        {
            "id": f"PT{t:05d}",
            "name": f"Team {t}",
            "members": [{"user": f"PU{t * 5 + m:05d}", "role": "responder"} for m in range(5)],
        }
        for t in range(n_teams)
    ]
    schedules = [
        {
            "id": f"PS{t:05d}",
            "name": f"Team {t} primary",
            "users": [f"PU{t * 5 + m:05d}" for m in range(5)],
        }
        for t in range(n_teams)
    ]
    policies = [
        {
            "id": f"PE{p:05d}",
            "name": f"Policy {p}",
            "teams": [f"PT{p % n_teams:05d}"],
            "levels": [
                {"delay": 30, "targets": [{"schedule": f"PS{p % n_teams:05d}"}]},
                {"delay": 30, "targets": [{"user": f"PU{(p % n_teams) * 5:05d}"}]},
            ],
        }
        for p in range(n_policies)
    ]
    oncalls = [
        o
        for p in range(n_policies)
        for o in (
            {
                "user": f"PU{(p % n_teams) * 5 + 1:05d}",
                "escalation_policy": f"PE{p:05d}",
                "level": 1,
            },
            {"user": f"PU{(p % n_teams) * 5:05d}", "escalation_policy": f"PE{p:05d}", "level": 2},
        )
    ]
    return {
        "users": users,
        "teams": teams,
        "schedules": schedules,
        "escalation_policies": policies,
        "services": [
            {
                "id": f"PX{s:05d}",
                "name": f"service-{s}",
                "escalation_policy": f"PE{s % n_policies:05d}",
                "teams": [f"PT{s % n_teams:05d}"],
                "integrations": [{"id": f"PI{s:05d}", "key": f"{s:032x}"}],
            }
            for s in range(services)
        ],
        "oncalls": oncalls,
    }


class _Replay:
    type_name: ClassVar[str] = "pagerduty"
    tables: ClassVar[frozenset[str]] = PagerDutySource.tables

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        return self.records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5_000)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakePagerDuty(account(args.services), token=TOKEN) as pd,
    ):
        config = PagerDutyConfig.model_validate(
            {"type": "pagerduty", "base_url": pd.base_url, "token": TOKEN}
        )
        source = PagerDutySource(config)
        with Store(Path(tmp) / "bench.duckdb") as store:
            start = time.perf_counter()
            outcome = run_source(store, "pagerduty", source, state_dir=Path(tmp) / "state")
            ingest = time.perf_counter() - start
            assert outcome.status == "ok", outcome.message
            counts = dict(outcome.report.counts)
            mapped = store.connection.execute("SELECT count(*) FROM pagerduty_services").fetchone()
            start = time.perf_counter()
            gaps = store.connection.execute("SELECT count(*) FROM _gaps_pagerduty").fetchone()
            views = time.perf_counter() - start
        records = list(
            PagerDutySource(config).run(
                SourceContext(
                    name="pagerduty", state_dir=Path(tmp) / "state", previous_fingerprint=None
                )
            )
        )
        with Store(Path(tmp) / "replay.duckdb") as store:
            start = time.perf_counter()
            replay = run_source(store, "pagerduty", _Replay(records), state_dir=Path(tmp) / "state")
            load = time.perf_counter() - start
            assert replay.status == "ok", replay.message
    result = {
        "benchmark": "ingest_pagerduty",
        "services": args.services,
        "records": len(records),
        "requests": counts.get("requests"),
        "ingest_s": round(ingest, 3),
        "store_load_s": round(load, 3),
        "gaps_view_s": round(views, 3),
        "pagerduty_services": mapped[0] if mapped else None,
        "gaps": gaps[0] if gaps else None,
        "targets": {"ingest_s": 20, "store_load_s": 2},
        "ok": ingest < 20 and load < 2,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
