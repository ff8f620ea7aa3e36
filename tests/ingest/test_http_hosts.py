"""The host allow-list (issue 12): only http(s) to allowed hosts, checked on every request the
transports send (redirect hops included), against real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from ingest.allowed_hosts import HostPolicy, HostRefused, HostRule, enforced, enforced_policy
from ingest.http import HostCheckingTransport, RetryPolicy, RetryTransport
from standins.server import LocalServer


@contextmanager
def server(redirect_to: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 answering 200 (or a 302 to ``redirect_to`` for ``/go``); yields
    its base URL and the paths it was asked for."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            if self.path == "/go" and redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    with LocalServer(Handler) as local:
        yield local.base_url, seen


def retrying_client(**kwargs: object) -> httpx.Client:
    transport = RetryTransport(policy=RetryPolicy(max_retries=0))
    return httpx.Client(transport=transport, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "not file:"),
        ("ftp://api.github.com/x", "not ftp:"),
        ("gopher://127.0.0.1:70/", "not gopher:"),
        ("//api.github.com/x", "no scheme"),
        ("https://evil.example.com/x", "host evil.example.com:443 is not allowed"),
        ("https://api.github.com.evil.example/x", "is not allowed"),
        ("https://api.github.com@evil.example/x", "user:password@"),
        ("http://localhost:8080/", "host localhost:8080 is not allowed"),
        ("http://127.0.0.1/", "host 127.0.0.1:80 is not allowed"),
        ("https://amazonaws.com/", "is not allowed"),  # *.amazonaws.com: subdomains only
        ("https://evilamazonaws.com/", "is not allowed"),
    ],
)
def test_refused_urls_say_why(url: str, words: str) -> None:
    problem = HostPolicy.of().problem(url)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://api.pagerduty.com",
        "https://API.PagerDuty.com./incidents",  # case and a trailing dot
        "https://api.github.com/orgs/acme/repos?page=2",
        "https://tagging.us-east-1.amazonaws.com/",
        "https://hooks.slack.com/services/T0/B0/secret",
    ],
)
def test_official_hosts_are_allowed_by_default(url: str) -> None:
    assert HostPolicy.of().problem(url) is None


def test_listed_hosts_ports_and_wildcards() -> None:
    policy = HostPolicy.of(["127.0.0.1", "backstage.acme.com:7007", "*.acme.net", "[::1]:9000"])
    assert policy.problem("http://127.0.0.1:5001/x") is None
    assert policy.problem("https://backstage.acme.com:7007") is None
    assert policy.problem("https://backstage.acme.com") is not None  # port 443, not 7007
    assert policy.problem("https://ci.eu.acme.net/") is None
    assert policy.problem("https://acme.net/") is not None
    assert policy.problem("http://[::1]:9000/") is None
    assert policy.problem("http://[::1]:9001/") is not None


def test_a_look_alike_host_never_matches_a_listed_one() -> None:
    # a Cyrillic a (U+0430) for the Latin one: httpx sends the xn-- form, which is not listed
    policy = HostPolicy.of(["backstage.acme.com"])
    problem = policy.problem("https://b\u0430ckstage.acme.com/")
    assert problem is not None and "xn--" in problem


@pytest.mark.parametrize(
    "entry", ["https://x.example.com", "x.example.com/api", "a b", "host:99999", "*.", "", "u@h"]
)
def test_bad_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="host"):
        HostRule.parse(entry)


def test_problem_never_quotes_the_path_or_query() -> None:
    problem = HostPolicy.of().problem("https://evil.example.com/services/T0/SECRET?token=SECRET")
    assert problem is not None and "SECRET" not in problem


def test_without_a_policy_in_force_the_transport_sends_anywhere() -> None:
    assert enforced_policy() is None
    with server() as (base, seen), retrying_client() as client:
        assert client.get(f"{base}/x").status_code == 200
    assert seen == ["/x"]


def test_an_allowed_host_is_reached() -> None:
    with (
        server() as (base, seen),
        retrying_client() as client,
        enforced(HostPolicy.of(["127.0.0.1"])),
    ):
        assert client.get(f"{base}/x").json() == {"ok": True}
    assert seen == ["/x"]
    assert enforced_policy() is None  # the block ended


def test_a_host_not_listed_is_refused_before_anything_is_sent() -> None:
    with (
        server() as (base, seen),
        retrying_client() as client,
        enforced(HostPolicy.of(["localhost"])),
        pytest.raises(HostRefused, match=r"refused GET http://127\.0\.0\.1: host 127\.0\.0\.1:"),
    ):
        client.get(f"{base}/x")
    assert seen == []


def test_a_refused_scheme_never_reaches_a_transport() -> None:
    with (
        retrying_client() as client,
        enforced(HostPolicy.of(["127.0.0.1"])),
        pytest.raises((HostRefused, httpx.UnsupportedProtocol)),
    ):
        client.get("ftp://127.0.0.1/x")


def test_a_redirect_to_another_host_is_refused() -> None:
    with server() as (other, other_seen):
        port = other.rsplit(":", 1)[1]
        with (
            server(redirect_to=f"http://localhost:{port}/landed") as (base, seen),
            retrying_client(follow_redirects=True) as client,
            enforced(HostPolicy.of(["127.0.0.1"])),
            pytest.raises(HostRefused, match="host localhost"),
        ):
            client.get(f"{base}/go")
    assert seen == ["/go"]
    assert other_seen == []  # the second hop was never sent


def test_a_redirect_within_allowed_hosts_is_followed() -> None:
    with (
        server() as (other, other_seen),
        server(redirect_to=f"{other}/landed") as (base, seen),
        retrying_client(follow_redirects=True) as client,
        enforced(HostPolicy.of(["127.0.0.1"])),
    ):
        assert client.get(f"{base}/go").status_code == 200
    assert (seen, other_seen) == (["/go"], ["/landed"])


def test_the_async_transport_checks_too() -> None:
    import asyncio

    from ingest.http import AsyncRetryTransport

    async def fetch(url: str) -> None:
        async with httpx.AsyncClient(transport=AsyncRetryTransport()) as client:
            await client.get(url)

    with enforced(HostPolicy.of()), pytest.raises(HostRefused):
        asyncio.run(fetch("http://127.0.0.1:9/x"))


def test_host_checking_transport_uses_its_own_policy() -> None:
    with server() as (base, seen):
        refusing = HostCheckingTransport(policy=HostPolicy.of())
        with httpx.Client(transport=refusing) as client, pytest.raises(HostRefused):
            client.post(f"{base}/hook", json={"text": "hi"})
        allowing = HostCheckingTransport(policy=HostPolicy.of(["127.0.0.1"]))
        with httpx.Client(transport=allowing) as client:
            assert client.get(f"{base}/hook").status_code == 200
    assert seen == ["/hook"]
