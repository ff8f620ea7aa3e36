"""End to end: a real fake Backstage on 127.0.0.1, the real runner, a real DuckDB file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.store import Store
from ingest.backstage_catalog import BackstageCatalogConfig, BackstageCatalogSource
from ingest.http import RetryPolicy, RetryTransport
from ingest.runner import RunOutcome, run_source
from standins.backstage import FakeBackstage, Fault
from tests.ingest.backstage_catalog.organisation import organisation

TOKEN = "s3cret-backstage-token"


class Env:
    def __init__(self, tmp: Path, fake: FakeBackstage) -> None:
        self.fake = fake
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")
        self.sleeps: list[float] = []

    def config(self, **overrides: Any) -> BackstageCatalogConfig:
        values: dict[str, Any] = {
            "type": "backstage_catalog",
            "base_url": self.fake.base_url,
            "token": TOKEN,
            "page_size": 3,
        }
        return BackstageCatalogConfig.model_validate(values | overrides)

    def ingest(self, *, real_sleep: bool = False, **overrides: Any) -> RunOutcome:
        config = self.config(**overrides)
        transport = None
        if not real_sleep:  # the real transport stack, with the pauses recorded instead of slept
            transport = RetryTransport(
                policy=RetryPolicy(max_retries=config.max_retries), sleep=self.sleeps.append
            )
        source = BackstageCatalogSource(config, transport=transport)
        return run_source(self.store, "backstage", source, state_dir=self.state)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql).fetchall()

    def refs(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT ref FROM entities ORDER BY ref")]

    def problems(self) -> list[tuple[Any, ...]]:
        return self.rows(
            "SELECT severity, location, field, ref, message FROM catalog_problems ORDER BY message"
        )


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    with FakeBackstage(organisation(), token=TOKEN) as fake:
        e = Env(tmp_path, fake)
        try:
            yield e
        finally:
            e.store.close()


ALL_REFS = [
    "api:default/payments",
    "component:default/payments-api",
    "component:default/web-frontend",
    "group:default/team-a",
    "group:default/team-b",
    "resource:default/web-db",
    "system:default/payments",
    "user:default/alice",
]


def test_entities_and_relations_over_several_pages(env: Env) -> None:
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.refs() == ALL_REFS
    assert outcome.report.counts["pages"] == 3
    assert outcome.report.counts["entities"] == 8
    assert env.problems() == []

    row = env.rows(
        "SELECT name, title, description, type, lifecycle, owner, system, tags, location, line "
        "FROM entities WHERE ref = 'component:default/payments-api'"
    )[0]
    assert row == (
        "payments-api",
        "Payments API",
        "Takes the money",
        "service",
        "production",
        "group:default/team-a",
        "system:default/payments",
        ["python", "tier-1"],
        f"backstage:{env.fake.base_url}"
        "#url:https://github.com/acme/payments-api/blob/main/catalog-info.yaml",
        0,
    )
    # an entity without the managed-by annotation is located at the backend itself
    assert env.rows("SELECT location FROM entities WHERE name = 'web-db'") == [
        (f"backstage:{env.fake.base_url}",)
    ]
    # the name keeps Backstage's spelling; the ref is canonical lowercase
    assert env.rows("SELECT name, owner FROM entities WHERE kind = 'component' ORDER BY 1") == [
        ("Web-Frontend", "group:default/team-b"),
        ("payments-api", "group:default/team-a"),
    ]
    relations = env.rows("SELECT source_ref, type, target_ref FROM relations ORDER BY ALL")
    assert len(relations) == 16
    assert ("component:default/web-frontend", "dependsOn", "component:default/payments-api") in (
        relations
    )
    assert ("group:default/team-b", "ownerOf", "component:default/web-frontend") in relations
    assert all(r[0] == r[0].lower() and r[2] == r[2].lower() for r in relations)
    # relations live in their table, the rest of the entity is kept as Backstage serves it
    stored = env.rows("SELECT entity FROM entities WHERE name = 'alice'")[0][0]
    assert '"relations"' not in stored and '"uid"' in stored


def test_requests_follow_the_catalog_client(env: Env) -> None:
    env.ingest(filter=["kind=component,spec.lifecycle=production", "kind=group"], page_size=2)
    first, second = env.fake.requests
    assert first.path == "/api/catalog/entities/by-query"
    assert first.query == {
        "filter": ["kind=component,spec.lifecycle=production", "kind=group"],
        "limit": ["2"],
    }
    assert set(second.query) == {"cursor", "limit"}  # the cursor carries the query
    assert {r.authorization for r in env.fake.requests} == {f"Bearer {TOKEN}"}
    assert env.refs() == [
        "component:default/payments-api",
        "group:default/team-a",
        "group:default/team-b",
    ]


def test_429_with_retry_after_and_500_are_retried(env: Env) -> None:
    env.fake.faults[2] = [Fault.rate_limit(7), Fault.status(500)]
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.refs() == ALL_REFS
    assert len(env.fake.requests) == 5
    assert env.sleeps[0] == 7.0  # Retry-After from the server
    assert len(env.sleeps) == 2


def test_default_transport_waits_for_retry_after(env: Env) -> None:
    env.fake.faults[1] = [Fault.rate_limit(1)]
    outcome = env.ingest(real_sleep=True)
    assert outcome.status == "ok", outcome.message
    assert len(env.fake.requests) == 4


def test_persistent_5xx_fails_after_retries_and_keeps_the_snapshot(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.fake.faults[2] = [Fault.status(503)] * 3
    outcome = env.ingest(max_retries=2)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "HTTP 503" in outcome.message and "(page 2)" in outcome.message
    assert "something broke" in outcome.message  # Backstage's error message is quoted
    assert env.refs() == ALL_REFS


def test_malformed_json_fails_naming_the_url_and_keeps_the_snapshot(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.fake.faults[3] = [Fault.malformed_json()]
    outcome = env.ingest()
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith(
        f"backstage: malformed JSON from {env.fake.base_url}/api/catalog/entities/by-query (page 3)"
    )
    assert env.refs() == ALL_REFS
    runs = env.rows("SELECT status FROM ingest_runs ORDER BY run_id")
    assert runs == [("ok",), ("failed",)]


def test_endless_pagination_is_bounded(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.fake.endless = True
    outcome = env.ingest(max_pages=5)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "max_pages=5" in outcome.message
    assert len(env.fake.requests) == 3 + 5
    assert env.refs() == ALL_REFS


def test_a_cursor_that_does_not_advance_fails_early(env: Env) -> None:
    env.fake.repeat_cursor = True
    outcome = env.ingest()
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "pagination does not advance" in outcome.message
    assert len(env.fake.requests) == 2
    assert env.refs() == []


def test_malformed_items_are_reported_and_the_rest_kept(env: Env) -> None:
    good_but_odd: dict[str, Any] = {
        "kind": "Component",
        "metadata": {"name": "odd"},
        "relations": [
            {"type": "ownedBy"},
            {"targetRef": "group:default/team-a"},
            {"type": "partOf", "targetRef": "payments"},
            "nonsense",
            {"type": "ownedBy", "target": {"kind": "Group", "namespace": "default", "name": "X"}},
        ],
    }
    env.fake.extra_items = [
        {"kind": "Component", "metadata": {"namespace": "default"}},
        {"metadata": {"name": "nokind"}},
        "just a string",
        {"kind": "Component", "metadata": {"name": "dup"}},
        {"kind": "component", "metadata": {"name": "DUP", "namespace": "default"}},
        good_but_odd,
    ]
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.refs() == sorted([*ALL_REFS, "component:default/dup", "component:default/odd"])
    where = f"backstage:{env.fake.base_url}"
    problems = env.problems()
    assert [(p[0], p[2], p[3]) for p in problems] == [
        ("error", "metadata.name", None),
        ("error", "kind", None),
        ("error", None, None),
        ("warning", None, "component:default/dup"),
        ("warning", "relations[0]", "component:default/odd"),
        ("warning", "relations[1]", "component:default/odd"),
        ("warning", "relations[2]", "component:default/odd"),
        ("warning", "relations[3]", "component:default/odd"),
    ]
    assert all(p[1] == where for p in problems)
    messages = [p[4] for p in problems]
    assert messages[0] == "page 3, item 2: entity Component has no metadata.name; item skipped"
    assert messages[1] == "page 4, item 0: entity nokind has no kind; item skipped"
    assert messages[2].startswith("page 4, item 1: expected an entity object, got a string")
    assert "already returned" in messages[3]
    # the deprecated {kind, namespace, name} target form still works
    assert env.rows("SELECT owner FROM entities WHERE name = 'odd'") == [("group:default/x",)]
    assert outcome.report.errors[0].startswith(f"{where}: page 3, item 2")
    assert len(outcome.report.warnings) == 5


def test_unchanged_backend_is_not_rewritten(env: Env) -> None:
    assert env.ingest().status == "ok"
    assert env.ingest().status == "unchanged"
    env.fake.entities.pop()
    assert env.ingest().status == "ok"
    assert len(env.refs()) == 7


def test_timeout_fails_clearly(env: Env) -> None:
    env.fake.faults[1] = [Fault.slow(2)]
    outcome = env.ingest(timeout_seconds=0.2, max_retries=0)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("backstage: request timed out after 0.2s (ReadTimeout)")


def test_unreachable_backend_fails_clearly(env: Env, tmp_path: Path) -> None:
    with FakeBackstage([]) as gone:
        base_url = gone.base_url
    outcome = env.ingest(base_url=base_url, max_retries=1)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith(f"backstage: cannot reach {base_url}")
    assert len(env.sleeps) == 1  # connection errors are retried


def test_wrong_base_url_path_says_so(env: Env) -> None:
    outcome = env.ingest(base_url=env.fake.base_url + "/backstage")
    assert outcome.message is not None
    assert "not found (HTTP 404); is base_url the backend's base URL?" in outcome.message


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_rejected_token_fails_and_never_leaks(
    env: Env, caplog: pytest.LogCaptureFixture, token: str | None
) -> None:
    caplog.set_level(logging.DEBUG)
    env.fake.faults[1] = [Fault.status(500)]  # a retry is logged too
    assert env.ingest().status == "ok"
    outcome = env.ingest(token=token)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("backstage: token rejected (HTTP 401) by ")
    if token is None:
        assert "no token is configured" in outcome.message
    assert env.refs() == ALL_REFS
    run = env.rows("SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT 1")[0]
    everything = "\n".join(
        [caplog.text, repr(run), *outcome.report.errors, *outcome.report.warnings, outcome.message]
    )
    for secret in (TOKEN, "wrong-token"):
        assert secret not in everything
    assert TOKEN not in repr(env.config()) and TOKEN not in str(env.config())
    assert "retry 1 of 3" in caplog.text


def test_token_is_not_sent_when_none_is_configured(env: Env) -> None:
    env.fake.token = None
    assert env.ingest(token=None).status == "ok"
    assert {r.authorization for r in env.fake.requests} == {None}


def test_unexpected_response_shape_fails(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def respond(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, b'{"entities": []}'

    monkeypatch.setattr(env.fake, "respond", respond)
    outcome = env.ingest()
    assert outcome.message is not None
    assert "unexpected response" in outcome.message and "'items' is missing" in outcome.message


def test_progress_knows_the_total(env: Env) -> None:
    seen: list[tuple[int, int | None]] = []
    config = env.config()
    with httpx.HTTPTransport() as transport:
        source = BackstageCatalogSource(config, transport=transport)
        run_source(
            env.store,
            "backstage",
            source,
            state_dir=env.state,
            progress=lambda a, t: seen.append((a, t)),
        )
    assert seen == [(0, 8), (3, None), (3, None), (2, None)]
