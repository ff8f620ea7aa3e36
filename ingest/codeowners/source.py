"""The ``codeowners`` source: local repositories, their HEAD, catalog files and CODEOWNERS."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from catalog.errors import SourceError
from catalog.files import read_limited
from catalog.model import Problem
from ingest.catalog_files.discovery import walk_catalog_files
from ingest.codeowners.config import CodeownersConfig
from ingest.codeowners.files import (
    OwnerMapping,
    find_codeowners,
    owners_of_paths,
    parse_codeowners_bytes,
)
from ingest.codeowners.git_head import GitError, GitHead, git_dir, read_head
from ingest.codeowners.owners import CodeOwners
from ingest.codeowners.records import CodeownersRecord, CodeownersRuleRecord, RepositoryRecord
from ingest.paths import is_inside, real_roots, unreadable_roots
from ingest.records import ProblemRecord, Record
from ingest.source import SourceContext
from ingest.state import load_state, save_state

_SCP_URL = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+?)(?:\.git)?/?$")
CACHE_VERSION = 3


def _digest(key: str, records: list[Record]) -> bytes:
    """One repository's part of the fingerprint (``repr``: stable, pickle is not)."""
    return hashlib.sha256(repr((key, records)).encode()).digest()


@dataclass
class RepoScan:
    records: list[Record] = field(default_factory=list)
    head: GitHead | None = None


def web_url(remote: str | None) -> str | None:
    """``git@github.com:acme/x.git`` → ``https://github.com/acme/x``; other URLs cleaned up."""
    if not remote:
        return None
    if "://" in remote:
        url = re.sub(r"^[a-z+]+://(?:[^@/]+@)?", "https://", remote)
        return url.removesuffix(".git").rstrip("/")
    m = _SCP_URL.match(remote)
    return f"https://{m.group(1)}/{m.group(2)}" if m else remote


def discover_repositories(root: Path, exclude: set[str]) -> list[Path]:
    if git_dir(root) is not None:
        return [root]
    return sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name not in exclude),
        key=lambda p: p.name,
    )


class CodeownersSource:
    type_name: ClassVar[str] = "codeowners"
    tables: ClassVar[frozenset[str]] = frozenset(
        {"repository_rows", "codeowners_rows", "codeowners_rule_rows", "problem_rows"}
    )

    def __init__(self, config: CodeownersConfig) -> None:
        self.config = config
        self.roots = real_roots(config.roots)
        self.mapping = OwnerMapping(
            {k.lower(): v for k, v in config.org_namespaces.items()}, config.default_namespace
        )

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        unreadable_roots(self.roots)  # a root that vanished fails the run: nothing is dropped
        repos: list[Path] = []
        for root in self.roots:
            try:
                repos.extend(discover_repositories(root, set(self.config.exclude_dirs)))
            except OSError as exc:
                raise SourceError(
                    f"{root}: cannot list repositories: {exc.strerror or exc}"
                ) from None
        ctx.progress(0, len(repos))
        settings = repr(sorted(self.config.model_dump(mode="json", exclude={"schedule"}).items()))
        cache_path = ctx.state_dir / "repos.pickle"
        cache = load_state(cache_path, version=CACHE_VERSION, key=settings) or {}
        # per repository: (HEAD sha, its records, the digest of their repr)
        new_cache: dict[str, tuple[str, list[Record], bytes]] = {}
        records: list[Record] = []
        digest = hashlib.sha256(settings.encode())
        for repo in repos:
            key = str(repo)
            readable = os.access(repo, os.R_OK | os.X_OK)
            head = self._head(repo, records) if readable else None
            cached = cache.get(key)
            if not readable:
                # Unreadable: an error, and the repository keeps its last good records.
                message = "repository directory cannot be read; " + (
                    "its last good records are kept" if cached else "no earlier records to keep"
                )
                problem = ProblemRecord("error", repo.name, None, None, None, message)
                scan_records = [*(cached[1] if cached else []), problem]
                scan_digest = _digest(key, scan_records)
                if cached is not None:
                    new_cache[key] = cached
            elif head is not None and cached is not None and cached[0] == head.sha:
                scan_records, scan_digest = cached[1], cached[2]
                new_cache[key] = cached
                ctx.report.counts["repositories_unchanged"] += 1
            else:
                scan_records = list(self._scan(repo, head))
                scan_digest = _digest(key, scan_records)
                # plain checkouts too (sha ""): never reused unchanged, kept if later unreadable
                new_cache[key] = (head.sha if head is not None else "", scan_records, scan_digest)
            digest.update(scan_digest)
            records.extend(scan_records)
            ctx.progress(1, None)
        if new_cache.keys() != cache.keys() or any(
            entry is not cache[key] for key, entry in new_cache.items()
        ):  # rewritten only when a repository changed (a pickle of every record otherwise)
            save_state(cache_path, new_cache, version=CACHE_VERSION, key=settings)
        ctx.report.counts["repositories"] = len(repos)
        ctx.report.fingerprint = digest.hexdigest()
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            return []
        for r in records:
            if isinstance(r, ProblemRecord):
                message = (
                    f"{r.location}:{r.line}: {r.message}"
                    if r.line
                    else f"{r.location}: {r.message}"
                )
                (ctx.report.error if r.severity == "error" else ctx.report.warn)(message)
        return records

    def _head(self, repo: Path, records: list[Record]) -> GitHead | None:
        if git_dir(repo) is None:
            return None  # a plain checkout: scanned every run
        try:
            return read_head(repo)
        except (GitError, OSError) as exc:
            records.append(
                ProblemRecord(
                    "warning", repo.name, None, None, None, f"cannot read git HEAD: {exc}"
                )
            )
            return None

    def _scan(self, repo: Path, head: GitHead | None) -> Iterator[Record]:
        name = repo.name
        try:
            catalog_paths = [
                p.relative_to(repo).as_posix()
                for p in walk_catalog_files(
                    repo, self.config.catalog_filenames, self.config.exclude_dirs
                )
            ]
        except OSError as exc:
            yield ProblemRecord(
                "error", name, None, None, None, f"cannot walk repository: {exc.strerror or exc}"
            )
            catalog_paths = []
        # Whatever is there (a FIFO too) counts as found: the reader refuses what is not a
        # regular file and that is reported, never opened.
        codeowners_file = find_codeowners(
            lambda p: os.path.lexists(repo / p) and not (repo / p).is_dir()
        )
        yield RepositoryRecord(
            name=name,
            url=web_url(head.remote_url) if head else None,
            default_branch=head.default_branch if head else None,
            head_sha=head.sha if head else None,
            local_path=str(repo),
            has_catalog_info=bool(catalog_paths),
            has_codeowners=codeowners_file is not None,
            codeowners_file=codeowners_file,
        )
        if codeowners_file is None:
            return
        codeowners = self._parse(repo, name, codeowners_file)
        if isinstance(codeowners, Problem):
            yield ProblemRecord(
                "error",
                f"{name}/{codeowners_file}",
                codeowners.line,
                None,
                None,
                codeowners.message,
            )
            return
        for problem in codeowners.problems:
            yield ProblemRecord(
                "error",
                f"{name}/{codeowners_file}",
                problem.line,
                problem.field,
                None,
                problem.message,
            )
        for rule in codeowners.rules:
            yield CodeownersRuleRecord(
                name,
                codeowners_file,
                rule.line,
                rule.pattern,
                list(rule.owners),
                [self.mapping.guess(o) for o in rule.owners],
            )
        for verdict in owners_of_paths(codeowners, catalog_paths):
            yield CodeownersRecord(
                repo=name,
                location=f"file:{os.path.realpath(repo / verdict.path)}",
                path=verdict.path,
                owners_raw=verdict.owners,
                owner_guess=[self.mapping.guess(o) for o in verdict.owners],
                codeowners_file=codeowners_file,
                rule_line=verdict.rule_line,
            )

    def _parse(self, repo: Path, name: str, codeowners_file: str) -> CodeOwners | Problem:
        path = repo / codeowners_file
        if not is_inside(path, real_roots([repo])):
            # a symlink out of the repository (to /etc/…): never read, never stored
            return Problem("CODEOWNERS is a symlink that leads out of the repository; not read")
        return parse_codeowners_bytes(read_limited(path, self.config.max_file_bytes))
