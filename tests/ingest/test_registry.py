"""The registry validates every source type's config without importing any source module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CONFIG = """\
database: ./steward.duckdb
sources:
  catalog: {type: catalog_files, roots: [./repos]}
  codeowners: {type: codeowners, roots: [./repos]}
  aws: {type: aws_tags, regions: [us-east-1], endpoint_url: "http://127.0.0.1:9"}
  pagerduty: {type: pagerduty, base_url: "http://127.0.0.1:9", token: t0123456789}
  github: {type: github, org: acme, token: t0123456789}
  backstage: {type: backstage_catalog, base_url: "http://127.0.0.1:9"}
allowed_hosts: [127.0.0.1]
"""

HEAVY = ("boto3", "botocore", "httpx")
SOURCES = (
    "ingest.aws_tags.source",
    "ingest.backstage_catalog.source",
    "ingest.catalog_files.source",
    "ingest.github.source",
    "ingest.pagerduty.source",
)

PROBE = """
import json, sys
from pathlib import Path
from service.config import load_config
config = load_config(Path(sys.argv[1]))
loaded = lambda: sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)
before = loaded()
from ingest.registry import create_source
source = create_source(config.source_configs[sys.argv[3]])
print(json.dumps({"types": sorted(config.source_configs), "before": before, "after": loaded(),
                  "created": type(source).__name__}))
"""


def _probe(tmp_path: Path, source: str) -> dict[str, object]:
    (tmp_path / "repos").mkdir(exist_ok=True)
    config = tmp_path / "steward.yaml"
    config.write_text(CONFIG)
    modules = json.dumps([*HEAVY, *SOURCES])
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(config), modules, source],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(out)
    return result


def test_loading_a_config_of_every_type_imports_no_source_module(tmp_path: Path) -> None:
    result = _probe(tmp_path, "catalog")
    assert result["types"] == ["aws", "backstage", "catalog", "codeowners", "github", "pagerduty"]
    assert result["before"] == []


def test_a_source_module_is_imported_when_its_source_is_created(tmp_path: Path) -> None:
    result = _probe(tmp_path, "aws")
    assert result["created"] == "AwsTagsSource"
    assert "ingest.aws_tags.source" in result["after"]  # type: ignore[operator]
    # boto3 only ever loads in the listing's child processes (ingest.aws_tags.listing)
    assert "boto3" not in result["after"]  # type: ignore[operator]
    assert "ingest.pagerduty.source" not in result["after"]  # type: ignore[operator]


def test_packages_still_export_their_source_classes() -> None:
    from ingest.aws_tags import AwsTagsSource
    from ingest.aws_tags.source import AwsTagsSource as Direct

    assert AwsTagsSource is Direct
