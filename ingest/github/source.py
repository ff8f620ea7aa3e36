"""The ``github`` source: an organisation's repositories through GitHub's REST API.

Per repository: its HEAD (a repository whose HEAD did not move since the last run is not read
again), catalog files anywhere in its tree (Backstage-exact through ``process_file``) and the
CODEOWNERS file GitHub would use, judged per catalog file (monorepo-aware). Entities carry
``backstage.io/managed-by-location: url:https://github.com/{org}/{repo}/blob/{branch}/{path}``,
and the CODEOWNERS rows carry the same string, which is how the ownership views join them.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import httpx

from ingest.catalog_records import ParsedFile, catalog_file_records
from ingest.codeowners.files import OwnerMapping
from ingest.codeowners.records import RepositoryRecord
from ingest.github.cache import ResponseCache, ScanCache
from ingest.github.client import EmptyRepository, GithubClient, RepoError
from ingest.github.config import GithubConfig
from ingest.github.ratelimit import RateLimit
from ingest.github.scan import CatalogFile, RepoScan, RepoScanner
from ingest.records import ProblemRecord, Record
from ingest.source import SourceContext

_RUN_ONLY = {
    "schedule",
    "token",
    "timeout_seconds",
    "max_retries",
    "max_rate_limit_wait_seconds",
    "max_pages",
    "max_repositories",
}
"""Settings that do not change what a repository's scan holds."""


class GithubSource:
    type_name: ClassVar[str] = "github"
    tables: ClassVar[frozenset[str]] = frozenset(
        {
            "entity_rows",
            "relation_rows",
            "problem_rows",
            "file_rows",
            "repository_rows",
            "codeowners_rows",
            "codeowners_rule_rows",
        }
    )

    def __init__(
        self,
        config: GithubConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        self.config = config
        self.mapping = OwnerMapping(
            {k.lower(): v for k, v in config.org_namespaces.items()}, config.default_namespace
        )
        self._filter: Callable[[str], object] = (
            re.compile(config.repo_filter).search if config.repo_filter else bool
        )
        self._transport = transport
        self._rate_limit = rate_limit

    # -- the run -----------------------------------------------------------------------------
    def run(self, ctx: SourceContext) -> Iterable[Record]:
        report = ctx.report
        settings = repr(sorted(self.config.model_dump(mode="json", exclude=_RUN_ONLY).items()))
        cache = ScanCache(ctx.state_dir / "repos.pickle", settings)
        responses = ResponseCache(ctx.state_dir / "http")
        scans: list[RepoScan] = []
        keep: dict[str, tuple[str, Any]] = {}
        with GithubClient(
            self.config,
            cache=responses,
            rate_limit=self._rate_limit,
            transport=self._transport,
            source_name=ctx.name,
        ) as client:
            repos = self._select(ctx, client.org_repos())
            ctx.progress(0, len(repos))
            scanner = RepoScanner(client, self.config, self.mapping, known_blobs=cache.blobs)
            for repo in repos:
                scan, key = self._repository(ctx, scanner, cache, repo)
                scans.append(scan)
                if key is not None and scan.complete:
                    keep[scan.name] = (key, scan)
                ctx.progress(1, None)
            report.counts["http_requests"] = client.requests
            report.counts["http_not_modified"] = client.not_modified
            report.counts["files_fetched"] = scanner.files_fetched
        blobs = cache.blobs | scanner.used_blobs
        cache.save(
            keep,
            {sha: blobs[sha] for _, scan in keep.values() for sha in scan.blobs if sha in blobs},
        )
        responses.prune()

        digest = hashlib.sha256(settings.encode())
        for scan in scans:
            cached = keep.get(scan.name)
            digest.update(pickle.dumps((scan.name, cached[0]) if cached else scan))
        report.fingerprint = digest.hexdigest()
        report.counts["repositories"] = len(scans)
        if report.fingerprint == ctx.previous_fingerprint:
            report.unchanged = True
            return []
        return list(self._records(ctx, scans))

    def _select(self, ctx: SourceContext, listed: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
        repos: dict[str, dict[str, Any]] = {}
        for repo in listed:
            name = repo.get("name")
            if not isinstance(name, str) or not name:
                ctx.report.warn(f"github: a repository of {self.config.org} has no name; skipped")
                continue
            if repo.get("archived") and not self.config.include_archived:
                ctx.report.counts["repositories_archived_skipped"] += 1
            elif repo.get("fork") and not self.config.include_forks:
                ctx.report.counts["repositories_forks_skipped"] += 1
            elif not self._filter(name):
                ctx.report.counts["repositories_filtered_out"] += 1
            else:
                repos[name] = repo
        limit = self.config.max_repositories
        if len(repos) > limit:
            ctx.report.warn(
                f"github: {self.config.org} has {len(repos)} repositories to read; only the first "
                f"{limit} in name order are read (max_repositories)"
            )
        return [repos[name] for name in sorted(repos)[:limit]]

    def _repository(
        self, ctx: SourceContext, scanner: RepoScanner, cache: ScanCache, repo: dict[str, Any]
    ) -> tuple[RepoScan, str | None]:
        """The repository's scan, and its cache key (HEAD sha, branch, URL) when it has one."""
        name: str = repo["name"]
        branch = repo.get("default_branch")
        html_url = repo.get("html_url")
        if not isinstance(html_url, str):
            html_url = f"https://github.com/{self.config.org}/{name}"
        repo = {**repo, "html_url": html_url}
        bare = RepositoryRecord(
            name,
            html_url,
            branch if isinstance(branch, str) else None,
            None,
            None,
            False,
            False,
            None,
        )
        try:
            if not isinstance(branch, str) or not branch:
                raise EmptyRepository("repository has no default branch")
            sha = scanner.client.head_sha(name, branch)
        except EmptyRepository as exc:
            scan = RepoScan(name, bare)
            scan.problem("warning", f"{exc}; nothing to read")
            ctx.report.counts["repositories_empty"] += 1
            return scan, None
        except RepoError as exc:
            return self._unreadable(name, bare, cache, exc), None
        key = f"{sha} {branch} {html_url}"
        cached = cache.scans.get(name)
        if cached is not None and cached[0] == key:
            ctx.report.counts["repositories_unchanged"] += 1
            scan = cached[1]
            assert isinstance(scan, RepoScan)
            return scan, key
        try:
            return scanner.scan(repo, sha), key
        except RepoError as exc:
            return self._unreadable(name, bare, cache, exc), None

    @staticmethod
    def _unreadable(
        name: str, bare: RepositoryRecord, cache: ScanCache, exc: RepoError
    ) -> RepoScan:
        cached = cache.scans.get(name)
        if cached is not None:  # keep what we knew, and say so
            previous: RepoScan = cached[1]
            scan = RepoScan(
                name,
                previous.repository,
                previous.files,
                list(previous.records),
                previous.blobs,
                complete=False,
            )
            scan.problem("error", f"{exc}; kept the scan of {cached[0].split()[0][:12]}")
            return scan
        scan = RepoScan(name, bare, complete=False)
        scan.problem("error", str(exc))
        return scan

    # -- records -----------------------------------------------------------------------------
    def _records(self, ctx: SourceContext, scans: list[RepoScan]) -> Iterator[Record]:
        report = ctx.report
        files: dict[str, CatalogFile] = {}
        for scan in scans:
            yield scan.repository
            for record in scan.records:
                if isinstance(record, ProblemRecord):
                    _report(ctx, record)
                yield record
            for f in scan.files:
                files[f.location] = f
        parsed = [
            ParsedFile(f.location, f.sha256, f.result, managed_by=f.url, origin=f.url)
            for f in files.values()
        ]
        yield from catalog_file_records(report, parsed)
        report.counts["catalog_files"] = len(files)


def _report(ctx: SourceContext, r: ProblemRecord) -> None:
    where = f"{r.location}:{r.line}" if r.line is not None else r.location
    suffix = f" [{r.ref}]" if r.ref else ""
    (ctx.report.error if r.severity == "error" else ctx.report.warn)(
        f"{where}: {r.message}{suffix}"
    )
