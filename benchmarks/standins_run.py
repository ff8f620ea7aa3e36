"""Serve a generated organisation's cloud resources and PagerDuty account until stdin closes.

    python -m benchmarks.standins_run DATA_DIR

prints one JSON line ``{"aws": URL, "pagerduty": URL}`` once both listen. The benchmark runs it
in a process of its own, so the stand-ins' CPU time is not charged to the command measured.
200,000 resources through moto would take minutes to create with boto3, so the cloud resources
are served by the Tagging API stand-in (same ``GetResources`` protocol, same boto3 paginator on
the source's side).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from standins.aws import FakeTaggingApi
from standins.pagerduty import FakePagerDuty

TOKEN = "bench-token-0123456789"


def main() -> None:
    data = Path(sys.argv[1])
    resources = json.loads((data / "aws" / "resources.json").read_text())
    fixture = json.loads((data / "pagerduty" / "fixture.json").read_text())
    with FakeTaggingApi(resources) as aws, FakePagerDuty(fixture, token=TOKEN) as pagerduty:
        print(json.dumps({"aws": aws.endpoint_url, "pagerduty": pagerduty.base_url}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
