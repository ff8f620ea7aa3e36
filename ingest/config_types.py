"""Field types shared by the configs of the HTTP sources."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator


def _http_base_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL, e.g. https://api.example.com")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query or fragment")
    return value.strip().rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_http_base_url)]
"""An http(s) base URL without query or fragment, stored without a trailing slash."""
