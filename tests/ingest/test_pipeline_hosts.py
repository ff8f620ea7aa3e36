"""A pipeline run by the service itself (scheduled, triggered) checks every request's host."""

from __future__ import annotations

from pathlib import Path

from service.config import load_config
from service.steward_service import StewardService

TOKEN = "pipeline-hosts-token-0123456789"


def test_a_service_pipeline_refuses_a_host_not_allowed(
    tmp_path: Path, counting_server: tuple[str, list[str]]
) -> None:
    base, seen = counting_server
    path = tmp_path / "steward.yaml"
    path.write_text(
        "database: ./s.duckdb\nallowed_hosts: [127.0.0.1]\nsources:\n"
        f"  pd: {{type: pagerduty, token: {TOKEN}, base_url: '{base}', max_retries: 0}}\n"
    )
    config = load_config(path)
    config.allowed_hosts = ["localhost"]  # as if the URL had come from somewhere else
    with StewardService(config) as service:
        run = service.run_pipeline(scorecards=False)
    (outcome,) = run.outcomes
    assert outcome.status == "failed"
    assert outcome.message is not None and "refused GET http://127.0.0.1" in outcome.message
    assert seen == []
