"""``allowed_hosts`` at config load (exit 2, ``file:line: field``) and in force while a one-shot
ingest runs (issue 12, "Bad input and security")."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.errors import ConfigError
from service.cli import app
from service.config import load_config
from service.ingestion import ingest

TOKEN = "hosts-test-token-0123456789"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "steward.yaml"
    path.write_text(text)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return str(err.value)


def test_a_source_base_url_to_a_host_not_listed_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "database: ./s.duckdb\nsources:\n  pd:\n    type: pagerduty\n"
        f"    token: {TOKEN}\n    base_url: http://127.0.0.1:5001\n",
    )
    message = refusal(path)
    assert message.startswith(f"{path}:6: sources.pd.base_url: host 127.0.0.1:5001 is not allowed")
    assert "allowed_hosts" in message


def test_listed_hosts_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "database: ./s.duckdb\nallowed_hosts: [127.0.0.1, 'backstage.acme.com']\nsources:\n"
        f"  pd: {{type: pagerduty, token: {TOKEN}, base_url: 'http://127.0.0.1:5001'}}\n"
        f"  bs: {{type: backstage_catalog, base_url: 'https://backstage.acme.com'}}\n"
        "  aws: {type: aws_tags, regions: [us-east-1], endpoint_url: 'http://127.0.0.1:5000'}\n"
        "  gh: {type: github, org: acme}\n",  # default base_url: the official api.github.com
    )
    config = load_config(path)
    assert config.host_policy().problem("http://127.0.0.1:5001") is None


def test_an_aws_endpoint_to_a_host_not_listed_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "database: ./s.duckdb\nsources:\n"
        "  aws: {type: aws_tags, regions: [us-east-1], endpoint_url: 'http://10.0.0.7:4566'}\n",
    )
    assert ":3: sources.aws.endpoint_url: host 10.0.0.7:4566 is not allowed" in refusal(path)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://hooks.evil.example/services/T0/B0/SECRETPATH", "host hooks.evil.example:443"),
        ("file:///etc/passwd", "http(s) URL"),
        ("ftp://hooks.slack.com/x", "http(s) URL"),
    ],
)
def test_the_webhook_url_is_checked_without_printing_its_secret(
    tmp_path: Path, url: str, words: str
) -> None:
    path = write(
        tmp_path, f"database: ./s.duckdb\nreports:\n  ownership_gaps:\n    webhook_url: {url}\n"
    )
    message = refusal(path)
    assert f"{path}:4: reports.ownership_gaps.webhook_url: " in message
    assert words in message
    assert "SECRETPATH" not in message


def test_the_official_webhook_host_is_allowed(tmp_path: Path) -> None:
    url = "https://hooks.slack.com/services/T0/B0/x"
    path = write(
        tmp_path, f"database: ./s.duckdb\nreports:\n  ownership_gaps:\n    webhook_url: {url}\n"
    )
    assert load_config(path).reports.ownership_gaps.webhook_url == url


def test_a_bad_allowed_hosts_entry_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "database: ./s.duckdb\nallowed_hosts:\n  - 127.0.0.1\n  - https://x.io\n"
    )
    assert refusal(path).startswith(f"{path}:4: allowed_hosts.1: ")


def test_steward_ingest_exits_2_with_one_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "database: ./s.duckdb\nsources:\n"
        f"  pd: {{type: pagerduty, token: {TOKEN}, base_url: 'http://localhost:5001'}}\n",
    )
    result = CliRunner().invoke(app, ["ingest", "--config", str(tmp_path / "steward.yaml")])
    assert result.exit_code == 2
    assert "sources.pd.base_url: host localhost:5001 is not allowed" in result.output
    assert "Traceback" not in result.output


def test_a_one_shot_ingest_checks_every_request(
    tmp_path: Path, counting_server: tuple[str, list[str]]
) -> None:
    base, seen = counting_server
    path = write(
        tmp_path,
        "database: ./s.duckdb\nallowed_hosts: [127.0.0.1]\nsources:\n"
        f"  pd: {{type: pagerduty, token: {TOKEN}, base_url: '{base}', max_retries: 0}}\n",
    )
    config = load_config(path)
    config.allowed_hosts = ["localhost"]  # as if the URL had come from somewhere else
    run = ingest(config, scorecards=False)
    (outcome,) = run.outcomes
    assert outcome.status == "failed"
    assert outcome.message is not None and "refused GET http://127.0.0.1" in outcome.message
    assert seen == []  # refused before anything was sent
