"""The ``catalog_files`` source: catalog-info.yaml files from local roots, Backstage-exact."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ClassVar

from catalog.files import read_limited
from catalog.model import FileResult, Problem
from catalog.processing import process_file
from ingest.catalog_files.cache import CachedFile, FileCache, IndexEntry
from ingest.catalog_files.config import CatalogFilesConfig
from ingest.catalog_files.discovery import (
    location_targets,
    resolve_location_target,
    walk_catalog_files,
)
from ingest.catalog_files.unreadable import hidden_reason
from ingest.catalog_files.workers import parser_pool
from ingest.catalog_records import ParsedFile, catalog_file_records
from ingest.paths import containing_root, real_roots, unreadable_roots
from ingest.records import Record
from ingest.source import SourceContext

PARALLEL_THRESHOLD = 200
"""Below this many files to parse, worker processes cost more than they save."""


@dataclass
class FileOutcome:
    path: Path
    location: str
    origin: str
    sha256: str = ""
    result: FileResult = field(default_factory=FileResult)
    kept_from_last_good: bool = False
    targets: list[str] = field(default_factory=list)
    location_warnings: list[Problem] = field(default_factory=list)
    """Location targets not followed; kept apart because ``result`` may be a cached object."""
    real: str = field(init=False)
    """The file's real path, resolved once: identity for caching and de-duplication."""

    def __post_init__(self) -> None:
        self.real = os.path.realpath(self.path)


def _parse_one(
    job: tuple[bytes, str],
    *,
    roots: Sequence[Path],
    allowed_hosts: frozenset[str],
    max_alias_count: int,
) -> FileResult:
    data, path = job
    return process_file(
        data,
        path=Path(path),
        roots=roots,
        allowed_hosts=allowed_hosts,
        max_alias_count=max_alias_count,
    )


class CatalogFilesSource:
    type_name: ClassVar[str] = "catalog_files"
    tables: ClassVar[frozenset[str]] = frozenset(
        {"entity_rows", "relation_rows", "problem_rows", "file_rows"}
    )

    def __init__(self, config: CatalogFilesConfig) -> None:
        self.config = config
        self.roots = real_roots(config.roots)

    # -- naming files ----------------------------------------------------------------------
    def _location(self, path: Path, real: str | None = None) -> str:
        """``<root name>/<path inside root>``: short, stable, and sorts files per root."""
        real_path = Path(real or os.path.realpath(path))
        root = containing_root(real_path, self.roots, resolved=True)
        if root is None:  # a symlink leading out: named by where the link itself is
            real_path = Path(os.path.abspath(path))
            root = next((r for r in self.roots if real_path.is_relative_to(r)), None)
            if root is None:
                return str(path)
        names = [r.name for r in self.roots]
        prefix = root.name if names.count(root.name) == 1 else str(root)
        if real_path == root:
            return prefix
        return f"{prefix}/{real_path.relative_to(root).as_posix()}"

    def _outcome(self, path: Path, origin: str | None = None) -> FileOutcome:
        outcome = FileOutcome(path, "", origin or "")
        outcome.location = self._location(path, outcome.real)
        outcome.origin = origin or outcome.location
        return outcome

    # -- the run ---------------------------------------------------------------------------
    def run(self, ctx: SourceContext) -> Iterable[Record]:
        unreadable_roots(self.roots)
        settings = self.config.model_dump(mode="json", exclude={"schedule", "workers"})
        settings_key = repr(sorted(settings.items()))
        cache = FileCache(ctx.state_dir, settings_key)
        walked = self._walk()
        contents: dict[str, bytes] = {}
        quick = self._fingerprint_from_index(settings_key, walked, cache, contents)
        if quick is not None and quick[0] == ctx.previous_fingerprint:
            ctx.report.fingerprint = quick[0]
            ctx.report.counts["files"] = quick[1]
            ctx.report.unchanged = True
            return []

        outcomes = self._read_all(ctx, walked, cache, contents)
        outcomes.extend(self._kept_unreachable(cache, {o.real for o in outcomes}))
        outcomes.sort(key=lambda o: o.location)
        cache.save({o.real: IndexEntry(o.sha256, o.targets) for o in outcomes})
        ctx.report.fingerprint = _fingerprint(
            settings_key, ((o.location, o.sha256) for o in outcomes)
        )
        ctx.report.counts["files"] = len(outcomes)
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            return []
        return list(self._records(ctx, outcomes))

    def _kept_unreachable(self, cache: FileCache, seen: set[str]) -> list[FileOutcome]:
        """Files of the last run behind a directory that cannot be read now: an error each,
        and their last good entities stay (see ``ingest.catalog_files.unreadable``)."""
        kept: list[FileOutcome] = []
        for real, entry in cache.index.items():
            reason = None if real in seen else hidden_reason(real, self.roots)
            if reason is None:
                continue
            outcome = self._outcome(Path(real))
            outcome.targets = list(entry.targets)  # no sha256: the run is not 'unchanged'
            outcome.result = FileResult(errors=[Problem(f"not read: {reason}")])
            previous = cache.entries.get(real)
            self._apply_last_good(outcome, previous.last_good if previous else None)
            kept.append(outcome)
        return kept

    def _walk(self) -> list[FileOutcome]:
        walked: list[FileOutcome] = []
        for root in self.roots:
            if root.is_dir():
                for path in walk_catalog_files(
                    root, self.config.filenames, self.config.exclude_dirs
                ):
                    walked.append(self._outcome(path))
        return walked

    def _fingerprint_from_index(
        self,
        settings_key: str,
        walked: list[FileOutcome],
        cache: FileCache,
        contents: dict[str, bytes],
    ) -> tuple[str, int] | None:
        """The tree's fingerprint if every file (Location targets included) is in the index
        with the same content; None as soon as one is new, changed or unreadable."""
        seen: dict[str, tuple[str, str]] = {}
        queue = [(o.path, o.real) for o in walked]
        while queue:
            path, real = queue.pop()
            if real in seen:
                continue
            entry = cache.index.get(real)
            if entry is None or containing_root(Path(real), self.roots, resolved=True) is None:
                return None
            data = read_limited(path, self.config.max_file_bytes, roots=self.roots)
            if not isinstance(data, bytes):
                return None
            contents[real] = data
            sha = hashlib.sha256(data).hexdigest()
            if sha != entry.sha256:
                return None
            seen[real] = (self._location(path, real), sha)
            queue.extend((Path(t), t) for t in entry.targets)
        return _fingerprint(settings_key, seen.values()), len(seen)

    def _read_all(
        self,
        ctx: SourceContext,
        walked: list[FileOutcome],
        cache: FileCache,
        contents: dict[str, bytes],
    ) -> list[FileOutcome]:
        wave = walked
        seen: set[str] = set()
        outcomes: list[FileOutcome] = []
        total = 0
        while wave:
            wave = [o for o in wave if o.real not in seen]
            seen.update(o.real for o in wave)
            total += len(wave)
            ctx.progress(0, total)
            self._parse_wave(ctx, wave, cache, contents)
            outcomes.extend(wave)
            wave = self._follow_locations(wave) if self.config.follow_locations else []
        outcomes.sort(key=lambda o: o.location)
        return outcomes

    def _parse_wave(
        self,
        ctx: SourceContext,
        wave: list[FileOutcome],
        cache: FileCache,
        contents: dict[str, bytes],
    ) -> None:
        todo: list[tuple[FileOutcome, bytes]] = []
        for outcome in wave:
            data = contents.pop(outcome.real, None) or self._read_bytes(outcome)
            if data is None:  # unreadable: an error, and its last good entities stay
                previous = cache.entries.get(outcome.real)
                self._apply_last_good(outcome, previous.last_good if previous else None)
                ctx.progress(1, None)
                continue
            outcome.sha256 = hashlib.sha256(data).hexdigest()
            cached = cache.entries.get(outcome.real)
            if cached is not None and cached.sha256 == outcome.sha256:
                outcome.result = cached.result
                self._apply_last_good(outcome, cached.last_good)
                ctx.report.counts["files_unchanged"] += 1
                ctx.progress(1, None)
            else:
                todo.append((outcome, data))
        for outcome, result in zip(
            (o for o, _ in todo),
            self._parse_many([(d, str(o.path)) for o, d in todo], ctx),
            strict=True,
        ):
            key = outcome.real
            previous = cache.entries.get(key)
            last_good = result if not result.errors else (previous.last_good if previous else None)
            entry = CachedFile(outcome.sha256, result, last_good)
            cache.put(key, entry)
            outcome.result = entry.result
            self._apply_last_good(outcome, entry.last_good)

    def _parse_many(
        self, jobs: list[tuple[bytes, str]], ctx: SourceContext
    ) -> Iterator[FileResult]:
        parse = partial(
            _parse_one,
            roots=self.roots,
            allowed_hosts=frozenset(self.config.allowed_hosts),
            max_alias_count=self.config.max_alias_count,
        )
        workers = self.config.workers or os.cpu_count() or 1
        if len(jobs) < PARALLEL_THRESHOLD or workers == 1:
            for job in jobs:
                yield parse(job)
                ctx.progress(1, None)
            return
        chunk = max(1, min(64, len(jobs) // (workers * 8)))
        with parser_pool(workers) as pool:
            for result in pool.map(parse, jobs, chunksize=chunk):
                yield result
                ctx.progress(1, None)

    def _read_bytes(self, outcome: FileOutcome) -> bytes | None:
        data = read_limited(outcome.path, self.config.max_file_bytes, roots=self.roots)
        if isinstance(data, Problem):
            outcome.result = FileResult(errors=[data])
            return None
        return data

    @staticmethod
    def _apply_last_good(outcome: FileOutcome, last_good: FileResult | None) -> None:
        if outcome.result.errors and last_good is not None:
            # The file broke: report its errors, but keep the entities of its last good version.
            outcome.result = FileResult(
                errors=outcome.result.errors,
                warnings=[
                    *outcome.result.warnings,
                    Problem(
                        f"kept {len(last_good.entities)} entities from the last good version "
                        "of this file"
                    ),
                ],
                entities=last_good.entities,
            )
            outcome.kept_from_last_good = True

    def _follow_locations(self, wave: list[FileOutcome]) -> list[FileOutcome]:
        found: list[FileOutcome] = []
        for outcome in wave:
            for entity in outcome.result.entities:
                if not entity.accepted or entity.ref.split(":", 1)[0] != "location":
                    continue
                for target in location_targets(entity.entity):
                    files, problem = resolve_location_target(outcome.path, target, self.roots)
                    if problem is not None:
                        outcome.location_warnings.append(
                            Problem(problem.message, line=entity.line, field=problem.field)
                        )
                    outcome.targets.extend(os.path.realpath(f) for f in files)
                    found.extend(self._outcome(f, outcome.location) for f in files)
        return found

    # -- records ---------------------------------------------------------------------------
    def _records(self, ctx: SourceContext, outcomes: list[FileOutcome]) -> Iterator[Record]:
        files = [
            ParsedFile(
                o.location,
                o.sha256,
                o.result,
                managed_by=f"file:{o.real}",
                origin=f"file:{o.origin}",
                ok=o.result.ok and not o.kept_from_last_good,
                extra_warnings=o.location_warnings,
            )
            for o in outcomes
        ]
        return catalog_file_records(ctx.report, files)


def _fingerprint(settings_key: str, files: Iterable[tuple[str, str]]) -> str:
    """One hash over the settings and every (location, sha256), independent of walk order."""
    lines = sorted(f"{location}\0{sha}" for location, sha in files)
    return hashlib.sha256("\n".join([settings_key, *lines]).encode()).hexdigest()
