"""A small fake GitHub REST API on 127.0.0.1, enough for the ``github`` source.

Endpoints: ``GET /orgs/{org}/repos`` (pages of ``page_size`` whatever ``per_page`` asks, with a
``Link`` header), ``GET /repos/{o}/{r}/commits/{ref}`` (JSON, or the bare sha with
``Accept: application/vnd.github.sha``; 409 "Git Repository is empty." for an empty repo),
``GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`` and ``GET /repos/{o}/{r}/contents/{path}?ref=``
(base64 ``content``; files above 1 MB come with ``encoding: none`` unless the raw media type is
asked for).

Like GitHub: bearer tokens ("Bad credentials" 401), weak ETags with 304 on ``If-None-Match``
(304s do not use the rate limit), ``X-RateLimit-*`` headers on every response and a 403 with
``X-RateLimit-Remaining: 0`` once the budget is spent, until ``reset_at``. Every response is
recorded in ``served`` as (kind, path, status) so tests can count what was asked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from standins.server import LocalServer

TOKEN = "ghp_fake0123456789abcdefSECRET"
MAX_JSON_CONTENT = 1024 * 1024


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class FakeRepo:
    name: str
    files: dict[str, bytes | str] = field(default_factory=dict)
    default_branch: str = "main"
    archived: bool = False
    fork: bool = False
    empty: bool = False
    truncated: bool = False

    def data(self, path: str) -> bytes:
        value = self.files[path]
        return value.encode() if isinstance(value, str) else value

    @property
    def head(self) -> str:
        digest = hashlib.sha1(self.name.encode())
        for path in sorted(self.files):
            digest.update(f"{path}\0{blob_sha(self.data(path))}\n".encode())
        return digest.hexdigest()

    def tree(self) -> list[dict[str, Any]]:
        dirs = {"/".join(p.split("/")[:i]) for p in self.files for i in range(1, p.count("/") + 1)}
        entries: list[dict[str, Any]] = [
            {
                "path": d,
                "mode": "040000",
                "type": "tree",
                "sha": hashlib.sha1(d.encode()).hexdigest(),
            }
            for d in dirs
        ]
        for path in self.files:
            data = self.data(path)
            entries.append(
                {
                    "path": path,
                    "mode": "100644",
                    "type": "blob",
                    "sha": blob_sha(data),
                    "size": len(data),
                }
            )
        return sorted(entries, key=lambda e: str(e["path"]))


@dataclass
class RateLimit:
    remaining: int | None = None
    """None: unlimited (the headers still say 5000)."""
    reset_at: int = 0
    """Epoch seconds; 0: ``reset_after`` seconds after the budget is first found spent."""
    reset_after: int = 1
    refill: int = 5000


@dataclass
class FakeGitHub(LocalServer):
    org: str
    repos: list[FakeRepo]
    token: str = TOKEN
    page_size: int = 2
    rate: RateLimit = field(default_factory=RateLimit)
    malformed: set[str] = field(default_factory=set)
    """Request paths answered with broken JSON."""
    failing: dict[str, int] = field(default_factory=dict)
    """Request path prefixes answered with this HTTP status."""
    served: list[tuple[str, str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        LocalServer.__init__(self, _handler_for(self))

    def repo(self, name: str) -> FakeRepo:
        return next(r for r in self.repos if r.name == name)

    def count(self, kind: str | None = None, status: int | None = None) -> int:
        return sum(
            1
            for k, _, s in self.served
            if (kind is None or k == kind) and (status is None or s == status)
        )

    def reset(self) -> None:
        self.served.clear()

    # -- routing ---------------------------------------------------------------------------------
    def respond(
        self, path: str, query: dict[str, list[str]], accept: str
    ) -> tuple[str, int, dict[str, str], bytes]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path in self.malformed:
            return "malformed", 200, {}, b'{"broken": [1, 2'
        for prefix, status in self.failing.items():
            if path.startswith(prefix):
                return "failing", *_error(status, "Server Error")
        if parts[:1] == ["orgs"] and len(parts) == 3 and parts[2] == "repos":
            return ("repos", *self._repos(parts[1], query))
        if parts[:1] != ["repos"] or len(parts) < 4 or parts[1] != self.org:
            return "other", *_error(404, "Not Found")
        repo = next((r for r in self.repos if r.name == parts[2]), None)
        if repo is None:
            return "other", *_error(404, "Not Found")
        rest = parts[3:]
        if rest[0] == "commits" and len(rest) == 2:
            return ("commits", *self._commit(repo, rest[1], accept))
        if rest[:2] == ["git", "trees"] and len(rest) == 3:
            return ("trees", *self._tree(repo, rest[2]))
        if rest[0] == "contents" and len(rest) >= 2:
            ref = query.get("ref", [repo.default_branch])[0]
            return ("contents", *self._contents(repo, "/".join(rest[1:]), ref, accept))
        return "other", *_error(404, "Not Found")

    def _repos(self, org: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if org != self.org:
            return _error(404, "Not Found")
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        items = self.repos[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(self.repos) // per_page))
        link = f"{self.base_url}/orgs/{org}/repos?per_page={per_page}&type=all&page="
        links = []
        if page < last:
            links.append(f'<{link}{page + 1}>; rel="next"')
            links.append(f'<{link}{last}>; rel="last"')
        if page > 1:
            links.append(f'<{link}1>; rel="first"')
        headers = {"Link": ", ".join(links)} if links else {}
        body = [
            {
                "id": i,
                "name": r.name,
                "full_name": f"{self.org}/{r.name}",
                "private": False,
                "html_url": f"https://github.com/{self.org}/{r.name}",
                "fork": r.fork,
                "archived": r.archived,
                "default_branch": r.default_branch,
                "size": 0 if r.empty else 42,
                "url": f"{self.base_url}/repos/{self.org}/{r.name}",
            }
            for i, r in enumerate(items, start=(page - 1) * per_page + 1)
        ]
        return 200, headers, json.dumps(body).encode()

    def _commit(self, repo: FakeRepo, ref: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        if repo.empty:
            return _error(409, "Git Repository is empty.")
        if ref not in (repo.default_branch, repo.head):
            return _error(422, f"No commit found for SHA: {ref}")
        if accept == "application/vnd.github.sha":
            return 200, {"Content-Type": "application/vnd.github.sha"}, repo.head.encode()
        return 200, {}, json.dumps({"sha": repo.head, "commit": {"message": "x"}}).encode()

    def _tree(self, repo: FakeRepo, sha: str) -> tuple[int, dict[str, str], bytes]:
        if repo.empty or sha != repo.head:
            return _error(404, "Not Found")
        tree = repo.tree()
        if repo.truncated:
            tree = tree[: len(tree) // 2]
        body = {"sha": sha, "url": "x", "tree": tree, "truncated": repo.truncated}
        return 200, {}, json.dumps(body).encode()

    def _contents(
        self, repo: FakeRepo, path: str, ref: str, accept: str
    ) -> tuple[int, dict[str, str], bytes]:
        if ref not in (repo.default_branch, repo.head) or path not in repo.files:
            return _error(404, "Not Found")
        data = repo.data(path)
        if accept == "application/vnd.github.raw+json":
            return 200, {"Content-Type": "application/vnd.github.raw"}, data
        big = len(data) > MAX_JSON_CONTENT
        encoded = base64.b64encode(data).decode()
        body = {
            "type": "file",
            "encoding": "none" if big else "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": blob_sha(data),
            # GitHub wraps base64 at 60 columns
            "content": ""
            if big
            else "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)),
        }
        return 200, {}, json.dumps(body).encode()


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
    return status, {}, json.dumps(body).encode()


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            accept = self.headers.get("Accept", "application/json")
            with fake._lock:
                kind, status, headers, body = self._answer(url.path, parse_qs(url.query), accept)
                fake.served.append((kind, url.path, status))
            self.send_response(status)
            if status != 304:
                headers.setdefault("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def _answer(
            self, path: str, query: dict[str, list[str]], accept: str
        ) -> tuple[str, int, dict[str, str], bytes]:
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                return ("auth", *_error(401, "Bad credentials"))
            rate = fake.rate
            now = time.time()
            if rate.remaining == 0 and not rate.reset_at:
                rate.reset_at = int(now) + rate.reset_after
            if rate.remaining == 0 and now >= rate.reset_at:
                rate.remaining = rate.refill
            if rate.remaining == 0:
                status, headers, body = _error(403, "API rate limit exceeded for user ID 1.")
                return "rate_limited", status, headers | _rate_headers(rate), body
            kind, status, headers, body = fake.respond(path, query, accept)
            if status == 200:
                etag = 'W/"' + hashlib.sha256(body).hexdigest()[:40] + '"'
                headers["ETag"] = etag
                if self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
            if status != 304 and rate.remaining is not None:
                rate.remaining -= 1
                if rate.remaining == 0 and not rate.reset_at:
                    rate.reset_at = int(now) + rate.reset_after
            return kind, status, headers | _rate_headers(rate), body

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def _rate_headers(rate: RateLimit) -> dict[str, str]:
    remaining = 5000 if rate.remaining is None else rate.remaining
    return {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(rate.reset_at or int(time.time()) + 3600),
        "X-RateLimit-Used": str(5000 - remaining),
        "X-RateLimit-Resource": "core",
    }
