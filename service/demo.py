"""``steward demo``: the example organisation with local stand-ins for AWS and PagerDuty.

The cloud tags come from a moto server seeded with ``examples/aws/resources.json`` and the
PagerDuty data from a fake PagerDuty API serving ``examples/pagerduty/fixture.json``, both on
127.0.0.1 ports chosen by the OS. ``examples/steward.yaml`` points its ``aws`` and
``pagerduty`` sources at them through ``STEWARD_DEMO_AWS_URL`` and
``STEWARD_DEMO_PAGERDUTY_URL``. No account and no network are needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from standins.aws import start_demo_aws
from standins.pagerduty import start_demo_pagerduty

AWS_URL_ENV = "STEWARD_DEMO_AWS_URL"
PAGERDUTY_URL_ENV = "STEWARD_DEMO_PAGERDUTY_URL"


@contextmanager
def local_fakes(examples: Path) -> Iterator[dict[str, str]]:
    """Start both stand-ins, export their URLs to the environment, stop them afterwards.

    ``examples`` is the directory of the demo's steward.yaml (``aws/`` and ``pagerduty/``
    fixtures beside it)."""
    pagerduty, pagerduty_url = start_demo_pagerduty(examples / "pagerduty" / "fixture.json")
    try:
        aws, aws_url = start_demo_aws(examples / "aws" / "resources.json")
        try:
            urls = {AWS_URL_ENV: aws_url, PAGERDUTY_URL_ENV: pagerduty_url}
            saved = {k: os.environ.get(k) for k in urls}
            os.environ.update(urls)
            try:
                yield urls
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        finally:
            aws.stop()
    finally:
        pagerduty.close()
