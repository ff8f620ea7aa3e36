"""One repository at one commit: its catalog files (anywhere in the tree) and its CODEOWNERS.

The result is a ``RepoScan``: plain data that the source caches per HEAD sha and turns into
records once conflicts between repositories are known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.model import FileResult, Problem
from catalog.processing import process_file
from ingest.codeowners.files import (
    OwnerMapping,
    find_codeowners,
    owners_of_paths,
    parse_codeowners_bytes,
)
from ingest.codeowners.records import CodeownersRecord, CodeownersRuleRecord, RepositoryRecord
from ingest.github.client import GithubClient, RepoError
from ingest.github.config import GithubConfig
from ingest.records import ProblemRecord, Record


@dataclass
class CatalogFile:
    path: str
    """Inside the repository."""
    location: str
    """``{repo}/{path}``: the entity rows' location, and the order of conflicts."""
    url: str
    """``url:{html_url}/blob/{branch}/{path}``, Backstage's ``managed-by-location``."""
    sha256: str
    result: FileResult


@dataclass
class RepoScan:
    name: str
    repository: RepositoryRecord
    files: list[CatalogFile] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    """CODEOWNERS records and problems of the repository itself."""
    blobs: list[str] = field(default_factory=list)
    """Git blob shas of the files read, whose contents the cache keeps."""
    complete: bool = True
    """False when a request failed: the scan is not cached, so the next run tries again."""

    def problem(
        self,
        severity: str,
        message: str,
        *,
        where: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.records.append(ProblemRecord(severity, where or self.name, line, field, None, message))


class RepoScanner:
    def __init__(
        self,
        client: GithubClient,
        config: GithubConfig,
        mapping: OwnerMapping,
        *,
        known_blobs: dict[str, bytes],
    ) -> None:
        self.client = client
        self.config = config
        self.mapping = mapping
        self.known_blobs = known_blobs
        self.used_blobs: dict[str, bytes] = {}
        self.files_fetched = 0

    def scan(self, repo: dict[str, Any], sha: str) -> RepoScan:
        name: str = repo["name"]
        branch: str = repo["default_branch"]
        html_url: str = repo["html_url"]
        entries, truncated = self.client.tree(name, sha)
        blobs = {e["path"]: e for e in entries if e.get("type") == "blob" and "path" in e}
        catalog_paths = sorted(p for p in blobs if self._is_catalog_file(p))
        codeowners_file = find_codeowners(lambda p: p in blobs)
        scan = RepoScan(
            name,
            RepositoryRecord(
                name=name,
                url=html_url,
                default_branch=branch,
                head_sha=sha,
                local_path=None,
                has_catalog_info=bool(catalog_paths),
                has_codeowners=codeowners_file is not None,
                codeowners_file=codeowners_file,
            ),
        )
        if truncated:
            scan.problem(
                "warning",
                "GitHub truncated the tree listing (too many files); catalog files and "
                "CODEOWNERS beyond it are not seen",
            )
        for path in catalog_paths:
            data = self._read(scan, sha, blobs[path])
            result = (
                FileResult(errors=[data])
                if isinstance(data, Problem)
                else process_file(data, path=Path("/", name, path), roots=[])
            )
            digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else ""
            url = f"url:{html_url}/blob/{branch}/{path}"
            scan.files.append(CatalogFile(path, f"{name}/{path}", url, digest, result))
        if codeowners_file is not None:
            self._codeowners(scan, sha, blobs[codeowners_file], codeowners_file)
        return scan

    def _is_catalog_file(self, path: str) -> bool:
        parts = PurePosixPath(path).parts
        return parts[-1] in self.config.catalog_filenames and not any(
            part in self.config.exclude_dirs for part in parts[:-1]
        )

    def _read(self, scan: RepoScan, sha: str, entry: dict[str, Any]) -> bytes | Problem:
        size, blob_sha, path = entry.get("size"), entry.get("sha"), entry["path"]
        limit = self.config.max_file_bytes
        if isinstance(size, int) and size > limit:
            return Problem(
                f"file is {size:,} bytes, above the {limit:,}-byte limit (max_file_bytes); not read"
            )
        data = self.known_blobs.get(blob_sha) if isinstance(blob_sha, str) else None
        if data is None:
            try:
                data = self.client.file_content(scan.name, path, sha)
            except RepoError as exc:
                scan.complete = False
                return Problem(str(exc))
            self.files_fetched += 1
        if len(data) > limit:
            return Problem(
                f"file is {len(data):,} bytes, above the {limit:,}-byte limit (max_file_bytes); "
                "not read"
            )
        if isinstance(blob_sha, str):
            self.used_blobs[blob_sha] = data
            scan.blobs.append(blob_sha)
        return data

    def _codeowners(self, scan: RepoScan, sha: str, entry: dict[str, Any], file: str) -> None:
        where = f"{scan.name}/{file}"
        parsed = parse_codeowners_bytes(self._read(scan, sha, entry))
        if isinstance(parsed, Problem):
            scan.problem("error", parsed.message, where=where, line=parsed.line)
            return
        for problem in parsed.problems:
            scan.problem(
                "error", problem.message, where=where, line=problem.line, field=problem.field
            )
        for rule in parsed.rules:
            scan.records.append(
                CodeownersRuleRecord(
                    scan.name,
                    file,
                    rule.line,
                    rule.pattern,
                    list(rule.owners),
                    [self.mapping.guess(o) for o in rule.owners],
                )
            )
        for catalog_file, verdict in zip(
            scan.files, owners_of_paths(parsed, [f.path for f in scan.files]), strict=True
        ):
            scan.records.append(
                CodeownersRecord(
                    repo=scan.name,
                    location=catalog_file.url,
                    path=verdict.path,
                    owners_raw=verdict.owners,
                    owner_guess=[self.mapping.guess(o) for o in verdict.owners],
                    codeowners_file=file,
                    rule_line=verdict.rule_line,
                )
            )
