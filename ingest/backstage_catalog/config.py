from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ingest.config_types import BaseUrl
from ingest.schedule import Schedule


class BackstageCatalogConfig(BaseModel):
    """Entities of a running Backstage backend, read through its catalog REST API."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["backstage_catalog"]
    base_url: BaseUrl
    """The backend's base URL (``backend.baseUrl``); the API is ``{base_url}/api/catalog``."""
    token: SecretStr | None = None
    """A static external-access token, sent as ``Authorization: Bearer …``; use ``${ENV}``."""
    filter: list[str] = []
    """Backstage filter sets, e.g. ``kind=component,spec.type=service``; they OR together."""
    page_size: int = Field(default=500, ge=1, le=10_000)
    max_pages: int = Field(default=1_000, ge=1)
    """A bound on pagination: more pages than this fails the run (the last snapshot stays)."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    """Retries of a request answered with 429/5xx or failing to connect or time out."""
    schedule: Schedule | None = None

    @field_validator("filter")
    @classmethod
    def _filter_sets(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip() or any(not part.strip() for part in item.split(",")):
                raise ValueError(
                    f"filter {item!r}: expected conditions like 'kind=component,spec.type=service'"
                )
        return value
