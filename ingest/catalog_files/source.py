"""The ``catalog_files`` source: catalog-info.yaml files from local roots, Backstage-exact."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ClassVar

from catalog.files import read_limited
from catalog.model import FileResult, Problem
from catalog.processing import process_file
from ingest.catalog_files.cache import CachedFile, FileCache, IndexEntry, StatKey, stat_key
from ingest.catalog_files.config import CatalogFilesConfig
from ingest.catalog_files.discovery import (
    WalkedFile,
    location_targets,
    resolve_location_target,
    scan_catalog_files,
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
    real: str = ""
    """The file's real path, resolved once: identity for caching and de-duplication."""
    stat: StatKey | None = None
    """``stat_key`` of the file taken before it was read (None: not read, or not trusted)."""

    def __post_init__(self) -> None:
        if not self.real:
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
        self._nested_roots = any(
            a != b and a.is_relative_to(b) for a in self.roots for b in self.roots
        )
        self._root_prefixes = tuple(os.path.join(root, "") for root in self.roots)

    def _inside_roots(self, real: str) -> bool:
        """Does the real path ``real`` lie inside a root (``containing_root`` on strings)?"""
        return real.startswith(self._root_prefixes) or any(real == str(r) for r in self.roots)

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

    def _walked_outcome(self, root: Path, walked: WalkedFile, prefix: str) -> FileOutcome:
        """A walked file's outcome; a file that is not a symlink lies below its (real) root
        through directories that are not symlinks either, so it needs no ``realpath``."""
        if walked.symlink or self._nested_roots:  # nested: named after the first root
            return self._outcome(Path(walked.path))
        location = f"{prefix}/{walked.relative}"
        return FileOutcome(Path(walked.path), location, location, real=walked.path)

    # -- the run ---------------------------------------------------------------------------
    def run(self, ctx: SourceContext) -> Iterable[Record]:
        unreadable_roots(self.roots)
        settings = self.config.model_dump(mode="json", exclude={"schedule", "workers"})
        settings_key = repr(sorted(settings.items()))
        cache = FileCache(ctx.state_dir, settings_key)
        walked = self._walk()
        contents: dict[str, tuple[bytes, StatKey | None]] = {}
        quick = self._fingerprint_from_index(settings_key, walked, cache, contents)
        ctx.report.counts["files_read"] = len(contents)
        if quick is not None and quick[0] == ctx.previous_fingerprint:
            ctx.report.fingerprint = quick[0]
            ctx.report.counts["files"] = quick[1]
            ctx.report.unchanged = True
            return []

        outcomes = self._read_all(ctx, walked, cache, contents)
        outcomes.extend(self._kept_unreachable(cache, {o.real for o in outcomes}))
        outcomes.sort(key=lambda o: o.location)
        cache.save({o.real: IndexEntry(o.sha256, o.targets, o.stat) for o in outcomes})
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
        names = [r.name for r in self.roots]
        for root in self.roots:
            if root.is_dir():
                prefix = root.name if names.count(root.name) == 1 else str(root)
                for found in scan_catalog_files(
                    root, self.config.filenames, self.config.exclude_dirs
                ):
                    walked.append(self._walked_outcome(root, found, prefix))
        return walked

    def _fingerprint_from_index(
        self,
        settings_key: str,
        walked: list[FileOutcome],
        cache: FileCache,
        contents: dict[str, tuple[bytes, StatKey | None]],
    ) -> tuple[str, int] | None:
        """The tree's fingerprint if every file (Location targets included) is in the index
        with the same content; None as soon as one is new, changed or unreadable.

        A file whose ``stat_key`` is the one the index holds is not read again; the others are
        read and hashed (their bytes kept in ``contents`` for the parse that may follow)."""
        seen: dict[str, tuple[str, str]] = {}
        restat: dict[str, StatKey | None] = {}  # same content, new stat (e.g. touched)
        queue = [(o.path, o.real, o.location) for o in walked]
        while queue:
            path, real, location = queue.pop()
            if real in seen:
                continue
            entry = cache.index.get(real)
            if entry is None or not self._inside_roots(real):
                return None
            sha = self._known_sha256(path, entry)
            if sha is None:
                stat = _trusted_stat(path)
                data = read_limited(path, self.config.max_file_bytes, roots=self.roots)
                if not isinstance(data, bytes):
                    return None
                contents[real] = (data, stat)
                sha = hashlib.sha256(data).hexdigest()
                restat[real] = stat
            if sha != entry.sha256:
                return None
            seen[real] = (location or self._location(path, real), sha)
            queue.extend((Path(t), t, "") for t in entry.targets)
        if restat:
            index = dict(cache.index)
            for real, stat in restat.items():
                index[real] = IndexEntry(index[real].sha256, index[real].targets, stat)
            cache.save_index(index)
        return _fingerprint(settings_key, seen.values()), len(seen)

    @staticmethod
    def _known_sha256(path: Path, entry: IndexEntry) -> str | None:
        """The index's sha256 of ``path`` if the file's ``stat_key`` is still the one recorded
        when it was hashed (same size, times, inode, device, mode), else None: read it."""
        if entry.stat is None:
            return None
        try:
            key = stat_key(os.stat(path))
        except OSError:  # gone or not reachable: the read says why
            return None
        return entry.sha256 if key == entry.stat else None

    def _read_all(
        self,
        ctx: SourceContext,
        walked: list[FileOutcome],
        cache: FileCache,
        contents: dict[str, tuple[bytes, StatKey | None]],
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
        contents: dict[str, tuple[bytes, StatKey | None]],
    ) -> None:
        todo: list[tuple[FileOutcome, bytes]] = []
        for outcome in wave:
            cached = cache.entries.get(outcome.real)
            data: bytes | None = None  # stays None when the stat shows the file unchanged
            if not self._unchanged_by_stat(outcome, cache, cached):
                data = self._bytes(ctx, outcome, contents)
                if data is None:  # unreadable: an error, and its last good entities stay
                    self._apply_last_good(outcome, cached.last_good if cached else None)
                    ctx.progress(1, None)
                    continue
                outcome.sha256 = hashlib.sha256(data).hexdigest()
            if cached is not None and cached.sha256 == outcome.sha256:
                outcome.result = cached.result
                self._apply_last_good(outcome, cached.last_good)
                ctx.report.counts["files_unchanged"] += 1
                ctx.progress(1, None)
            elif data is not None:
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

    def _unchanged_by_stat(
        self, outcome: FileOutcome, cache: FileCache, cached: CachedFile | None
    ) -> bool:
        """True (and ``outcome.sha256``/``stat`` set) when the file's ``stat_key`` is the one
        recorded with its hash and its parse is cached under that hash: nothing to read."""
        entry = cache.index.get(outcome.real)
        if entry is None or cached is None or cached.sha256 != entry.sha256:
            return False
        if not self._inside_roots(outcome.real):
            return False  # a symlink now leading out: the read refuses it
        if self._known_sha256(outcome.path, entry) is None:
            return False
        outcome.sha256 = entry.sha256
        outcome.stat = entry.stat
        return True

    def _bytes(
        self,
        ctx: SourceContext,
        outcome: FileOutcome,
        contents: dict[str, tuple[bytes, StatKey | None]],
    ) -> bytes | None:
        """The file's bytes, read already by the quick check or read now (None: unreadable)."""
        read = contents.pop(outcome.real, None)
        if read is None:
            ctx.report.counts["files_read"] += 1
            return self._read_bytes(outcome)
        data, outcome.stat = read
        return data

    def _read_bytes(self, outcome: FileOutcome) -> bytes | None:
        outcome.stat = _trusted_stat(outcome.path)
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


RACY_NS = 2_000_000_000
"""A file changed less than this long before it was read may change again within the same
timestamp tick without its ``stat`` showing it (git's "racy clean" problem): its stat is not
recorded, so the next run reads and hashes it again."""


def _trusted_stat(path: Path) -> StatKey | None:
    """The file's ``stat_key``, taken *before* reading it (a change after the stat then shows
    as a different key next time), or None if it changed too recently to trust."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if max(info.st_mtime_ns, info.st_ctime_ns) > time.time_ns() - RACY_NS:
        return None
    return stat_key(info)


def _fingerprint(settings_key: str, files: Iterable[tuple[str, str]]) -> str:
    """One hash over the settings and every (location, sha256), independent of walk order."""
    lines = sorted(f"{location}\0{sha}" for location, sha in files)
    return hashlib.sha256("\n".join([settings_key, *lines]).encode()).hexdigest()
