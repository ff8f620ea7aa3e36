"""GitHub's REST API as the ``github`` source needs it: the organisation's repositories, a
branch's HEAD, a recursive tree, a file's contents.

Every GET is conditional when an earlier response had an ETag (``If-None-Match``; a 304 reuses
the stored body), waits out rate limits (``ingest.github.ratelimit``) and retries 5xx and
connection failures (``ingest.http.RetryTransport``).

Failures of the whole source raise ``SourceError`` (token rejected, organisation not found,
rate limit beyond the allowed wait, malformed JSON, unreachable API); failures of one repository
raise ``RepoError`` so the others carry on. No message contains the token or the query string.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from catalog.errors import SourceError
from ingest.github.cache import ResponseCache
from ingest.github.config import GithubConfig
from ingest.github.ratelimit import RateLimit
from ingest.http import ClosingClient, RetryPolicy, RetryTransport

JSON = "application/vnd.github+json"
SHA = "application/vnd.github.sha"
RAW = "application/vnd.github.raw+json"
API_VERSION = "2022-11-28"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_RATE_LIMIT_RETRIES = 5


class RepoError(Exception):
    """One repository cannot be read; the source reports it and carries on."""


class EmptyRepository(RepoError):
    pass


@dataclass(frozen=True)
class Response:
    status_code: int
    body: bytes
    headers: httpx.Headers
    url: str
    """Scheme, host and path only: what messages may show."""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"github: malformed JSON from GET {self.url}: {exc}") from None

    def message(self) -> str:
        """GitHub's ``{"message": …}`` error text, quoted for a problem report."""
        try:
            text = json.loads(self.body).get("message")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return ""
        return f": {str(text)[:200]}" if text else ""


def _shown(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode()}{url.path}"


class GithubClient(ClosingClient):
    """Use as a context manager so the connection pool closes."""

    def __init__(
        self,
        config: GithubConfig,
        *,
        cache: ResponseCache,
        rate_limit: RateLimit | None = None,
        transport: httpx.BaseTransport | None = None,
        source_name: str = "github",
    ) -> None:
        self.config = config
        self.cache = cache
        self.rate_limit = rate_limit or RateLimit(max_wait=config.max_rate_limit_wait_seconds)
        self.source_name = source_name
        self.requests = self.not_modified = 0
        if transport is None:
            # 403/429 are rate limits: RateLimit decides on those, not the generic retries.
            policy = RetryPolicy(
                max_retries=config.max_retries, retry_statuses=frozenset({500, 502, 503, 504})
            )
            transport = RetryTransport(policy=policy)
        headers = {"Accept": JSON, "X-GitHub-Api-Version": API_VERSION, "User-Agent": "steward"}
        self._secret = config.token.get_secret_value() if config.token is not None else ""
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        self._base = httpx.URL(config.base_url)
        self._client = httpx.Client(
            transport=transport, headers=headers, timeout=config.timeout_seconds
        )

    # -- one conditional GET ----------------------------------------------------------------
    def get(self, url: str | httpx.URL, *, accept: str = JSON) -> Response:
        target = httpx.URL(url)
        if (target.scheme, target.netloc) != (self._base.scheme, self._base.netloc):
            raise SourceError(f"github: refusing to follow {_shown(target)} outside base_url")
        key = f"{accept} {target}"
        cached = self.cache.get(key)
        headers = {"Accept": accept}
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        shown = _shown(target)
        for _ in range(MAX_RATE_LIMIT_RETRIES):
            self.rate_limit.before_request(f"GET {shown}")
            response = self._send(target, headers, shown)
            self.rate_limit.observe(response)
            if self.rate_limit.retry_delay(response, f"GET {shown}") is None:
                break
        else:
            raise SourceError(f"github: still rate limited after waiting, at GET {shown}")
        if response.status_code == 401:
            hint = "check its scopes and expiry" if self._secret else "no token is configured"
            raise SourceError(
                f"github: token rejected (HTTP 401) at GET {shown} for source "
                f"{self.source_name!r}; {hint}"
            )
        if response.status_code == 304 and cached is not None:
            self.not_modified += 1
            return Response(200, cached.body, response.headers, shown)
        etag = response.headers.get("ETag")
        if response.status_code == 200 and etag:
            self.cache.put(key, etag, response.content)
        return Response(response.status_code, response.content, response.headers, shown)

    def _send(self, url: httpx.URL, headers: dict[str, str], shown: str) -> httpx.Response:
        self.requests += 1
        try:
            return self._client.get(url, headers=headers)
        except httpx.TimeoutException as exc:
            raise SourceError(
                f"github: request timed out after {self.config.timeout_seconds:g}s "
                f"({type(exc).__name__}): GET {shown}"
            ) from None
        except httpx.TransportError as exc:
            text = f"github: cannot reach GET {shown}: {type(exc).__name__}: {exc}"
            raise SourceError(text.replace(self._secret, "***") if self._secret else text) from None

    def _api(self, path: str, **params: str | int) -> httpx.URL:
        return httpx.URL(self.config.base_url + path, params=params or None)

    # -- endpoints ----------------------------------------------------------------------------
    def org_repos(self) -> Iterator[dict[str, Any]]:
        """``GET /orgs/{org}/repos``, every page, following ``Link: <…>; rel="next"``."""
        org = self.config.org
        url: httpx.URL | None = self._api(f"/orgs/{quote(org)}/repos", per_page=100, type="all")
        pages = 0
        while url is not None:
            pages += 1
            if pages > self.config.max_pages:
                raise SourceError(
                    f"github: organisation {org} still had more pages of repositories after "
                    f"max_pages={self.config.max_pages}; raise max_pages"
                )
            response = self.get(url)
            if response.status_code == 404:
                raise SourceError(
                    f"github: organisation {org!r} not found at GET {response.url} (or the token "
                    "cannot see it)"
                )
            if response.status_code != 200:
                raise SourceError(
                    f"github: HTTP {response.status_code} from GET {response.url}"
                    f"{response.message()}"
                )
            body = response.json()
            if not isinstance(body, list) or not all(isinstance(r, dict) for r in body):
                raise SourceError(f"github: expected a list of repositories from {response.url}")
            yield from body
            match = _NEXT.search(response.headers.get("Link", ""))
            url = httpx.URL(match.group(1)) if match else None

    def head_sha(self, repo: str, branch: str) -> str:
        """The commit at the tip of ``branch``; EmptyRepository when the repo has none."""
        ref = quote(branch, safe="")
        url = self._api(f"/repos/{quote(self.config.org)}/{quote(repo)}/commits/{ref}")
        response = self.get(url, accept=SHA)
        if response.status_code == 409:
            raise EmptyRepository(f"repository has no commits{response.message()}")
        if response.status_code != 200:
            raise RepoError(
                f"cannot read the HEAD of branch {branch}: HTTP {response.status_code}"
                f"{response.message()}"
            )
        sha = response.body.decode("ascii", errors="replace").strip()
        if not re.fullmatch(r"[0-9a-f]{40}(?:[0-9a-f]{24})?", sha):
            raise SourceError(f"github: expected a commit sha from GET {response.url}")
        return sha

    def tree(self, repo: str, sha: str) -> tuple[list[dict[str, Any]], bool]:
        """Every entry of the commit's tree (recursive) and whether GitHub truncated it."""
        url = self._api(
            f"/repos/{quote(self.config.org)}/{quote(repo)}/git/trees/{sha}", recursive=1
        )
        response = self.get(url)
        if response.status_code != 200:
            raise RepoError(
                f"cannot list the files of {sha[:12]}: HTTP {response.status_code}"
                f"{response.message()}"
            )
        body = response.json()
        entries = body.get("tree") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise SourceError(f"github: expected a tree object from {response.url}")
        return [e for e in entries if isinstance(e, dict)], bool(body.get("truncated"))

    def file_content(self, repo: str, path: str, sha: str) -> bytes:
        """The bytes of ``path`` at commit ``sha`` (``GET …/contents/{path}?ref={sha}``)."""
        url = self._api(
            f"/repos/{quote(self.config.org)}/{quote(repo)}/contents/{quote(path)}", ref=sha
        )
        response = self.get(url)
        if response.status_code != 200:
            raise RepoError(f"cannot read file: HTTP {response.status_code}{response.message()}")
        body = response.json()
        if not isinstance(body, dict) or body.get("type", "file") != "file":
            raise RepoError("not a file")
        if body.get("encoding") == "none":  # 1-100 MB: only the raw media type carries them
            raw = self.get(url, accept=RAW)
            if raw.status_code != 200:
                raise RepoError(f"cannot read file: HTTP {raw.status_code}{raw.message()}")
            return raw.body
        if body.get("encoding") != "base64" or not isinstance(body.get("content"), str):
            raise RepoError(f"unexpected content encoding {body.get('encoding')!r}")
        try:
            return base64.b64decode(body["content"])
        except (binascii.Error, ValueError) as exc:
            raise SourceError(f"github: bad base64 content from {response.url}: {exc}") from None
