"""Running configured sources into the store: shared by the CLI, the demo and the scheduler."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from catalog.errors import ConfigError
from catalog.store import Store
from ingest.registry import create_source
from ingest.runner import RunOutcome, run_source
from ingest.source import ProgressCallback
from service.config import StewardConfig

ProgressFactory = Callable[[str], ProgressCallback]


def ingest(
    config: StewardConfig,
    *,
    only: Sequence[str] = (),
    progress_for: ProgressFactory | None = None,
) -> list[RunOutcome]:
    unknown = [name for name in only if name not in config.source_configs]
    if unknown:
        known = ", ".join(config.source_configs) or "none"
        raise ConfigError(f"unknown source {', '.join(unknown)} (configured: {known})")
    names = list(only) or list(config.source_configs)
    outcomes: list[RunOutcome] = []
    with Store(config.database) as store:
        for name in names:
            source = create_source(config.source_configs[name])
            kwargs = {"progress": progress_for(name)} if progress_for else {}
            outcomes.append(
                run_source(store, name, source, state_dir=config.resolved_state_dir, **kwargs)
            )
        store.refresh_gaps(stale_after_days=config.ownership.stale_after_days)
    return outcomes
