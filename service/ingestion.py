"""Running configured sources once through the service pipeline (``steward ingest``, demo)."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.allowed_hosts import enforced
from service.config import StewardConfig
from service.steward_service import PipelineRun, ProgressFactory, StewardService


def ingest(
    config: StewardConfig,
    *,
    only: Sequence[str] = (),
    progress_for: ProgressFactory | None = None,
    scorecards: bool = True,
    allow_mass_delete: bool = False,
) -> PipelineRun:
    """Open the store, run the pipeline (sources → gaps → graph → scorecards → snapshot) once
    and close it. Every request the sources send goes only to allowed hosts."""
    config.check_runnable()  # a missing root or unwritable directory: ConfigError, no run row
    with StewardService(config) as service, enforced(config.host_policy()):
        # the service closes right after: warming its graph cache would be thrown away
        return service.run_pipeline(
            only,
            progress_for=progress_for,
            scorecards=scorecards,
            allow_mass_delete=allow_mass_delete,
            graph=False,
        )
