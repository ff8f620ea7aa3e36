"""``benchmarks.serve_load``'s per-route figures (plumbing only: no timings asserted)."""

from __future__ import annotations

from benchmarks.serve_load import Load, route_of


def test_route_of_names_the_plugins_routes() -> None:
    e = "/api/v1/entities/component/default/x"
    assert route_of(f"{e}/scorecards") == "scorecards"
    assert route_of(f"{e}/ownership") == "ownership"
    assert route_of(f"{e}/blast-radius?depth=2") == "blast-radius"
    assert route_of("/api/v1/teams/default/team-0001/gaps") == "team-gaps"


def test_load_counts_requests_and_errors_per_route() -> None:
    load = Load()
    e = "/api/v1/entities/component/default/x"
    for latency in (0.001, 0.002, 0.003):
        load.add(f"{e}/scorecards", latency, False)
    load.add(f"{e}/ownership", 0.5, True)
    routes = load.by_route()
    assert set(routes) == {"scorecards", "ownership"}
    assert routes["scorecards"]["requests"] == 3 and routes["scorecards"]["errors"] == 0
    assert routes["scorecards"]["p50_ms"] == 2.0
    assert routes["ownership"] == {"requests": 1, "errors": 1, "p50_ms": 500.0, "p95_ms": 500.0}
    assert load.errors == 1 and len(load.latencies) == 4
