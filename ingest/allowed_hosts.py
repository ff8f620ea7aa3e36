"""Which hosts Steward may send requests to: steward.yaml's ``allowed_hosts``.

A base URL, an AWS ``endpoint_url`` or a webhook URL is a place credentials are sent. So every
URL the config names must be ``http(s)://`` to an allowed host (checked by ``load_config``, exit
2 with ``file:line: field``), and every request the HTTP sources send is checked again by the
transports of ``ingest.http`` while a policy is in force (:func:`enforced`), which catches
redirects and URLs taken from responses (pagination links) as well.

Always allowed: the official API hosts of the built-in sources and of Slack's webhooks
(:data:`OFFICIAL_HOSTS`). Everything else — ``127.0.0.1`` and ``localhost`` included — is
allowed only when listed. An entry is a host (``backstage.acme.com``), a host and port
(``127.0.0.1:5001``, ``[::1]:8080``) or a wildcard for the subdomains of a domain
(``*.acme.com``, which does not match ``acme.com`` itself). Hosts compare case-insensitively,
without a trailing dot, as httpx sends them (internationalised names in their ``xn--`` form), so
a look-alike name never matches a listed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from catalog.errors import SourceError

if TYPE_CHECKING:  # loading a config must not import httpx (ingest.registry's promise)
    import httpx

OFFICIAL_HOSTS: tuple[str, ...] = (
    "api.pagerduty.com",
    "api.eu.pagerduty.com",
    "api.github.com",
    "hooks.slack.com",
    "*.amazonaws.com",
    "*.amazonaws.com.cn",
)
"""Allowed without being listed: the built-in sources' and Slack's official endpoints."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_ENTRY = re.compile(
    r"^(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<host>[^:\[\]/]+))(?::(?P<port>[0-9]{1,5}))?$"
)


class HostRefused(SourceError):
    """A request to a host (or with a scheme) that steward.yaml does not allow."""


class _Target(NamedTuple):
    scheme: str
    has_userinfo: bool
    host: str
    """As sent on the wire: lowercase, no trailing dot, an internationalised name as ``xn--``."""
    port: int | None


def _ascii_host(host: str) -> str:
    """``host`` lowercased without its trailing dot, in IDNA (``xn--``) form; ValueError if it
    cannot be encoded."""
    host = host.strip().lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{host!r} is not a valid host name") from exc


def _target(url: str | httpx.URL) -> _Target:
    """Scheme, userinfo, host and port of a URL given as text (from the config) or as an
    ``httpx.URL`` (a request); ValueError if it cannot be parsed."""
    if isinstance(url, str):
        parts = urlsplit(url.strip())
        port = parts.port  # ValueError for a port out of range
        has_userinfo = parts.username is not None or parts.password is not None
        return _Target(parts.scheme.lower(), has_userinfo, _ascii_host(parts.hostname or ""), port)
    host = url.raw_host.decode("ascii", "replace").lower().rstrip(".")
    return _Target(url.scheme.lower(), bool(url.userinfo), host, url.port)


@dataclass(frozen=True)
class HostRule:
    """One ``allowed_hosts`` entry."""

    host: str
    """Lowercase, no trailing dot; ``*.domain`` for a wildcard."""
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> HostRule:
        """The rule for ``entry``; ValueError saying what is wrong with it."""
        text = entry.strip().lower()
        if "://" in text or "/" in text or "@" in text:
            raise ValueError(f"{entry!r}: list a host (or host:port), not a URL")
        match = _ENTRY.match(text)
        if match is None:
            raise ValueError(f"{entry!r} is not a host, host:port or *.domain")
        port = int(match["port"]) if match["port"] else None
        if port is not None and not 1 <= port <= 65535:
            raise ValueError(f"{entry!r}: port must be 1-65535")
        if match["ipv6"] is not None:
            return cls(match["ipv6"], port)
        host = match["host"].rstrip(".")
        wildcard = host.startswith("*.")
        # an internationalised name is compared in the form httpx sends (xn--)
        name = _ascii_host(host[2:] if wildcard else host)
        if not name or not all(_LABEL.match(label) for label in name.split(".")):
            raise ValueError(f"{entry!r} is not a host name or IP address")
        return cls(f"*.{name}" if wildcard else name, port)

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host.startswith("*."):
            return host.endswith(self.host[1:]) and len(host) > len(self.host) - 1
        return host == self.host


@dataclass(frozen=True)
class HostPolicy:
    """The official hosts plus the listed ones."""

    rules: tuple[HostRule, ...]

    @classmethod
    def of(cls, listed: Iterable[str] = ()) -> HostPolicy:
        entries = [*OFFICIAL_HOSTS, *listed]
        return cls(tuple(HostRule.parse(entry) for entry in entries))

    def problem(self, url: str | httpx.URL) -> str | None:
        """Why a request to ``url`` is not allowed, or None. Never quotes the path or query
        (a webhook's secret), only the scheme and host."""
        try:
            scheme, has_userinfo, host, given_port = _target(url)
        except ValueError as exc:
            return f"not a valid URL ({exc})"
        if scheme not in _DEFAULT_PORTS:
            shown = f"{scheme}:" if scheme else "no scheme"
            return f"only http:// and https:// URLs are allowed, not {shown}"
        if has_userinfo:
            return "must not carry user:password@ (put credentials in a token field)"
        if not host:
            return "the URL names no host"
        port = given_port or _DEFAULT_PORTS[scheme]
        if any(rule.matches(host, port) for rule in self.rules):
            return None
        shown_host = f"[{host}]" if ":" in host else host
        return (
            f"host {shown_host}:{port} is not allowed; list it in allowed_hosts in steward.yaml "
            f"(allowed: {', '.join(self.describe())})"
        )

    def describe(self) -> list[str]:
        return [
            rule.host + (f":{rule.port}" if rule.port is not None else "") for rule in self.rules
        ]

    def check(self, request: httpx.Request) -> None:
        """Raise :class:`HostRefused` unless ``request`` may be sent."""
        problem = self.problem(request.url)
        if problem is not None:
            target = _target(request.url)
            raise HostRefused(
                f"refused {request.method} {target.scheme}://{target.host}: {problem}"
            )


_enforced: ContextVar[HostPolicy | None] = ContextVar("steward_allowed_hosts", default=None)


@contextmanager
def enforced(policy: HostPolicy) -> Iterator[HostPolicy]:
    """Check every request the ``ingest.http`` transports send in this thread (and its
    context) against ``policy`` until the block ends."""
    token = _enforced.set(policy)
    try:
        yield policy
    finally:
        _enforced.reset(token)


def enforced_policy() -> HostPolicy | None:
    """The policy in force here, if any."""
    return _enforced.get()


def check_request(request: httpx.Request) -> None:
    """Refuse ``request`` if a policy is in force and does not allow it."""
    policy = _enforced.get()
    if policy is not None:
        policy.check(request)


__all__ = [
    "OFFICIAL_HOSTS",
    "HostPolicy",
    "HostRefused",
    "HostRule",
    "check_request",
    "enforced",
    "enforced_policy",
]
