"""End to end: a real fake GitHub on 127.0.0.1, the real runner, a real DuckDB file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from ingest.github import GithubConfig, GithubSource
from ingest.runner import RunOutcome, run_source
from standins.github import TOKEN, FakeGitHub, FakeRepo


def component(name: str, owner: str, **spec: str) -> str:
    extra = "".join(f"  {k}: {v}\n" for k, v in spec.items())
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{extra}"
    )


def group(name: str, members: str = "[]") -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n"
        f"spec:\n  type: team\n  children: []\n  members: {members}\n"
    )


def user(name: str, login: str) -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {name}\n"
        f"  annotations:\n    github.com/user-login: {login}\nspec:\n  memberOf: []\n"
    )


MONOREPO_CODEOWNERS = """\
# the platform team owns everything not claimed below
*                   @acme/platform
/services/payments/ @acme/payments @alice-gh
/services/web/      @acme/web
"""


def acme() -> list[FakeRepo]:
    """Seven repositories (four pages of two); the listing order is not the name order."""
    return [
        FakeRepo(
            "people",
            {
                "catalog-info.yaml": "---\n".join(
                    [
                        group("platform", "[alice]"),
                        group("payments", "[alice]"),
                        group("web", "[bob]"),
                        user("alice", "alice-gh"),
                        user("bob", "bob-gh"),
                    ]
                ),
                "CODEOWNERS": "* @acme/platform\ndocs/ !not-an-owner\n",
            },
        ),
        FakeRepo(
            "monorepo",
            {
                "catalog-info.yaml": (
                    "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\n"
                    "spec:\n  owner: platform\n"
                ),
                "services/payments/catalog-info.yaml": component(
                    "payments", "payments", system="shop", providesApis="[payments-api]"
                )
                + "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n"
                "  name: payments-api\nspec:\n  type: openapi\n  lifecycle: production\n"
                "  owner: payments\n  definition: 'openapi: 3.0.0'\n",
                "services/payments/main.py": "print('pay')\n",
                "services/web/catalog-info.yaml": component(
                    "web", "web", dependsOn="[component:payments]"
                ),
                "node_modules/left-pad/catalog-info.yaml": component("left-pad", "nobody"),
                ".github/CODEOWNERS": MONOREPO_CODEOWNERS,
                "docs/CODEOWNERS": "* @acme/ignored\n",
            },
        ),
        FakeRepo("no-catalog", {"README.md": "# tools\n", "CODEOWNERS": "* @acme/platform\n"}),
        FakeRepo("empty", empty=True),
        FakeRepo("old-thing", {"catalog-info.yaml": component("old", "platform")}, archived=True),
        FakeRepo(
            "zz-copy",
            {
                "catalog-info.yaml": component("payments", "web")
                + "---\n"
                + component("tool", "platform"),
                "bad/catalog-info.yml": "kind: [unclosed\n",
            },
            default_branch="trunk",
        ),
        FakeRepo("forked-lib", {"catalog-info.yaml": component("forked", "web")}, fork=True),
    ]


class Env:
    def __init__(self, tmp: Path, fake: FakeGitHub) -> None:
        self.fake = fake
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")

    def config(self, **overrides: Any) -> GithubConfig:
        values: dict[str, Any] = {
            "type": "github",
            "org": "acme",
            "base_url": self.fake.base_url,
            "token": TOKEN,
        }
        return GithubConfig.model_validate(values | overrides)

    def ingest(self, **overrides: Any) -> RunOutcome:
        source = GithubSource(self.config(**overrides))
        outcome = run_source(self.store, "github", source, state_dir=self.state)
        self.store.refresh_gaps()
        return outcome

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql).fetchall()

    def refs(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT ref FROM entities ORDER BY ref")]

    def problems(self) -> list[tuple[Any, ...]]:
        return self.rows(
            "SELECT severity, location, line, message FROM catalog_problems "
            "ORDER BY location, line, message"
        )


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    with FakeGitHub("acme", acme()) as fake:
        e = Env(tmp_path, fake)
        try:
            yield e
        finally:
            e.store.close()


REFS = [
    "api:default/payments-api",
    "component:default/payments",
    "component:default/tool",
    "component:default/web",
    "group:default/payments",
    "group:default/platform",
    "group:default/web",
    "system:default/shop",
    "user:default/alice",
    "user:default/bob",
]


def test_organisation_is_discovered_page_by_page(env: Env) -> None:
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.fake.count("repos") == 4  # seven repositories, two per page
    assert env.rows(
        "SELECT name, url, default_branch, head_sha IS NOT NULL, local_path, has_catalog_info, "
        "has_codeowners, codeowners_file, source FROM repositories ORDER BY name"
    ) == [
        (
            "empty",
            "https://github.com/acme/empty",
            "main",
            False,
            None,
            False,
            False,
            None,
            "github",
        ),
        (
            "monorepo",
            "https://github.com/acme/monorepo",
            "main",
            True,
            None,
            True,
            True,
            ".github/CODEOWNERS",
            "github",
        ),
        (
            "no-catalog",
            "https://github.com/acme/no-catalog",
            "main",
            True,
            None,
            False,
            True,
            "CODEOWNERS",
            "github",
        ),
        (
            "people",
            "https://github.com/acme/people",
            "main",
            True,
            None,
            True,
            True,
            "CODEOWNERS",
            "github",
        ),
        (
            "zz-copy",
            "https://github.com/acme/zz-copy",
            "trunk",
            True,
            None,
            True,
            False,
            None,
            "github",
        ),
    ]
    head = env.rows("SELECT head_sha FROM repositories WHERE name = 'monorepo'")[0][0]
    assert head == env.fake.repo("monorepo").head
    assert outcome.report.counts["repositories_archived_skipped"] == 1
    assert outcome.report.counts["repositories_forks_skipped"] == 1


def test_entities_carry_github_locations(env: Env) -> None:
    env.ingest()
    assert env.refs() == REFS
    assert env.rows(
        "SELECT ref, location, line, annotations->>'backstage.io/managed-by-location', "
        "annotations->>'backstage.io/managed-by-origin-location' FROM entities "
        "WHERE ref IN ('component:default/web', 'api:default/payments-api', "
        "'component:default/tool') ORDER BY ref"
    ) == [
        (
            "api:default/payments-api",
            "monorepo/services/payments/catalog-info.yaml",
            12,
            "url:https://github.com/acme/monorepo/blob/main/services/payments/catalog-info.yaml",
            "url:https://github.com/acme/monorepo/blob/main/services/payments/catalog-info.yaml",
        ),
        (
            "component:default/tool",
            "zz-copy/catalog-info.yaml",
            10,
            "url:https://github.com/acme/zz-copy/blob/trunk/catalog-info.yaml",
            "url:https://github.com/acme/zz-copy/blob/trunk/catalog-info.yaml",
        ),
        (
            "component:default/web",
            "monorepo/services/web/catalog-info.yaml",
            1,
            "url:https://github.com/acme/monorepo/blob/main/services/web/catalog-info.yaml",
            "url:https://github.com/acme/monorepo/blob/main/services/web/catalog-info.yaml",
        ),
    ]
    relations = env.rows("SELECT source_ref, type, target_ref FROM relations")
    assert ("component:default/web", "dependsOn", "component:default/payments") in relations
    assert ("api:default/payments-api", "apiProvidedBy", "component:default/payments") in relations
    # the first location in code-point order keeps the ref: monorepo/… before zz-copy/…
    assert env.rows("SELECT owner FROM entities WHERE ref = 'component:default/payments'") == [
        ("group:default/payments",)
    ]


def test_problems_name_repo_file_and_line(env: Env) -> None:
    outcome = env.ingest()
    problems = env.problems()
    assert (
        "warning",
        "empty",
        None,
        "repository has no commits: Git Repository is empty.; nothing to read",
    ) in problems
    assert any(
        p[:3] == ("error", "people/CODEOWNERS", 2) and "not-an-owner" in p[3] for p in problems
    )
    assert any(p[:2] == ("error", "zz-copy/bad/catalog-info.yml") for p in problems)
    assert (
        "error",
        "zz-copy/catalog-info.yaml",
        1,
        "entity component:default/payments is already defined in "
        "monorepo/services/payments/catalog-info.yaml; this definition was rejected",
    ) in problems
    assert "people/CODEOWNERS:2: " in "\n".join(outcome.report.errors)


def test_codeowner_claims_are_per_catalog_file(env: Env) -> None:
    env.ingest()
    claims = env.rows(
        "SELECT subject, owner, owner_raw, evidence FROM ownership_claims "
        "WHERE role = 'codeowner' ORDER BY subject, owner"
    )
    assert claims == [
        (
            "api:default/payments-api",
            "group:default/payments",
            "@acme/payments",
            "monorepo:.github/CODEOWNERS:3",
        ),
        (
            "api:default/payments-api",
            "user:default/alice",
            "@alice-gh",
            "monorepo:.github/CODEOWNERS:3",
        ),
        (
            "component:default/payments",
            "group:default/payments",
            "@acme/payments",
            "monorepo:.github/CODEOWNERS:3",
        ),
        (
            "component:default/payments",
            "user:default/alice",
            "@alice-gh",
            "monorepo:.github/CODEOWNERS:3",
        ),
        (
            "component:default/web",
            "group:default/web",
            "@acme/web",
            "monorepo:.github/CODEOWNERS:4",
        ),
    ]
    gaps = env.rows("SELECT subject, gap, evidence FROM ownership_gaps ORDER BY subject, gap")
    assert (
        "repository:no-catalog",
        "repo_without_catalog_info",
        "https://github.com/acme/no-catalog",
    ) in gaps
    assert not any("ignored" in str(g) for g in gaps)  # docs/CODEOWNERS loses to .github/


def test_second_run_is_conditional_and_skips_unchanged_repositories(env: Env) -> None:
    assert env.ingest().status == "ok"
    first_trees, first_contents = env.fake.count("trees"), env.fake.count("contents")
    assert (first_trees, first_contents) == (4, 9)
    env.fake.reset()

    second = env.ingest()
    assert second.status == "unchanged"
    assert second.report.counts["repositories_unchanged"] == 4
    # every request was conditional and answered 304: listing pages and HEADs
    assert env.fake.count("repos", 304) == 4 and env.fake.count("commits", 304) == 4
    assert env.fake.count(status=200) == 0
    assert env.fake.count("commits", 409) == 1  # the empty repository has no ETag to send
    assert env.fake.count("trees") == env.fake.count("contents") == 0
    assert second.report.counts["http_not_modified"] == 8
    env.fake.reset()

    # one catalog file changes in the monorepo: only that repository and that file are read
    monorepo = env.fake.repo("monorepo")
    monorepo.files["services/web/catalog-info.yaml"] = component("web", "platform")
    third = env.ingest()
    assert third.status == "ok"
    assert env.fake.count("trees") == 1 and env.fake.count("contents") == 1
    assert third.report.counts["repositories_unchanged"] == 3
    assert env.rows("SELECT owner FROM entities WHERE ref = 'component:default/web'") == [
        ("group:default/platform",)
    ]
    assert env.refs() == REFS


def test_rate_limit_with_an_early_reset_is_waited_out(env: Env) -> None:
    env.fake.rate.remaining = 0  # resets one second after the first request
    started = time.monotonic()
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.fake.count("rate_limited") == 1
    assert time.monotonic() - started >= 0.5
    assert env.refs() == REFS


def test_rate_limit_used_up_mid_run_waits_before_the_next_request(env: Env) -> None:
    env.fake.rate.remaining = 3  # resets one second after the third request
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert env.fake.count("rate_limited") == 0  # the headers said 0 left: it waited instead
    assert env.refs() == REFS


def test_rate_limit_with_a_far_reset_fails_and_keeps_the_snapshot(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.fake.rate.remaining = 0
    env.fake.rate.reset_at = int(time.time()) + 3600
    started = time.monotonic()
    outcome = env.ingest()
    assert time.monotonic() - started < 5
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "rate limit" in outcome.message and "max_rate_limit_wait_seconds=60" in outcome.message
    assert env.refs() == REFS
    assert len(env.rows("SELECT * FROM repositories")) == 5
    status = env.rows("SELECT status, message FROM ingest_runs ORDER BY run_id DESC LIMIT 1")
    assert status[0][0] == "failed"


def test_rejected_token_fails_the_source_without_showing_it(env: Env) -> None:
    assert env.ingest().status == "ok"
    wrong = "ghp_wrong_token_value_123"
    outcome = env.ingest(token=wrong)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "github: token rejected (HTTP 401)" in outcome.message
    assert "'github'" in outcome.message  # the source's name
    everything = repr(outcome) + "".join(str(r) for r in env.rows("SELECT * FROM ingest_runs"))
    assert wrong not in everything and TOKEN not in everything
    assert env.refs() == REFS  # last good snapshot kept


def test_malformed_json_names_the_url(env: Env) -> None:
    env.fake.malformed.add("/repos/acme/monorepo/git/trees/" + env.fake.repo("monorepo").head)
    outcome = env.ingest()
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("github: malformed JSON from GET ")
    assert "/repos/acme/monorepo/git/trees/" in outcome.message


def test_filters_select_repositories(env: Env) -> None:
    env.ingest(include_archived=True, include_forks=True, repo_filter="^(old|forked|people)")
    assert env.rows("SELECT name FROM repositories ORDER BY name") == [
        ("forked-lib",),
        ("old-thing",),
        ("people",),
    ]
    assert "component:default/old" in env.refs() and "component:default/forked" in env.refs()


def test_unknown_organisation_fails(env: Env) -> None:
    outcome = env.ingest(org="nobody")
    assert outcome.status == "failed"
    assert "organisation 'nobody' not found" in (outcome.message or "")


def test_bad_files_are_problems_of_their_repository(tmp_path: Path) -> None:
    repos = [
        FakeRepo(
            "binary",
            {
                ".github/CODEOWNERS": b"\x00\x01PK\x03\x04",
                "catalog-info.yaml": component("bin", "platform"),
            },
        ),
        FakeRepo("huge", {"catalog-info.yaml": component("huge", "platform") + "#" * 5000}),
        FakeRepo("latin1", {"docs/CODEOWNERS": b"* @acme/platform\n# caf\xe9\n"}),
        FakeRepo("fine", {"catalog-info.yaml": component("fine", "platform")}),
    ]
    with FakeGitHub("acme", repos) as fake:
        env = Env(tmp_path, fake)
        try:
            outcome = env.ingest(max_file_bytes=4096)
            assert outcome.status == "ok", outcome.message
            assert env.refs() == ["component:default/bin", "component:default/fine"]
            assert env.problems() == [
                (
                    "error",
                    "binary/.github/CODEOWNERS",
                    None,
                    "CODEOWNERS is a binary file; ignored",
                ),
                (
                    "error",
                    "huge/catalog-info.yaml",
                    None,
                    "file is 5,137 bytes, above the 4,096-byte limit (max_file_bytes); not read",
                ),
                ("error", "latin1/docs/CODEOWNERS", 2, "CODEOWNERS is not valid UTF-8; ignored"),
            ]
            assert env.rows("SELECT repo FROM codeowners_rows") == []
        finally:
            env.store.close()


def test_truncated_tree_is_a_warning(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        f"svc{i}/catalog-info.yaml": component(f"svc{i}", "platform") for i in range(4)
    }
    with FakeGitHub("acme", [FakeRepo("big", files, truncated=True)]) as fake:
        env = Env(tmp_path, fake)
        try:
            outcome = env.ingest()
            assert outcome.status == "ok"
            assert any("truncated the tree listing" in w for w in outcome.report.warnings)
            assert 0 < len(env.refs()) < 4
        finally:
            env.store.close()


def test_config_is_strict_and_registered() -> None:
    from pydantic import ValidationError

    from ingest.registry import SOURCE_TYPES, create_source

    with pytest.raises(ValidationError, match="extra"):
        GithubConfig.model_validate({"type": "github", "org": "acme", "tokn": "x"})
    with pytest.raises(ValidationError, match="repo_filter"):
        GithubConfig.model_validate({"type": "github", "org": "acme", "repo_filter": "("})
    config = GithubConfig.model_validate({"type": "github", "org": "acme", "token": TOKEN})
    assert TOKEN not in repr(config) and TOKEN not in str(config.model_dump())
    assert config.base_url == "https://api.github.com"
    assert SOURCE_TYPES["github"].config_model is GithubConfig
    assert isinstance(create_source(config), GithubSource)


def test_next_link_to_another_host_is_not_followed(env: Env) -> None:
    import httpx

    def hijack(request: httpx.Request) -> httpx.Response:
        headers = {"Link": '<https://evil.example.com/steal?page=2>; rel="next"'}
        return httpx.Response(200, headers=headers, json=[])

    source = GithubSource(env.config(), transport=httpx.MockTransport(hijack))
    outcome = run_source(env.store, "github", source, state_dir=env.state)
    assert outcome.status == "failed"
    assert "refusing to follow https://evil.example.com/steal outside base_url" in (
        outcome.message or ""
    )


def test_unreadable_repository_keeps_its_last_scan_and_others_continue(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.fake.repo("monorepo").files["services/web/catalog-info.yaml"] = component("web", "people")
    env.fake.repo("people").files["README.md"] = "# people\n"
    env.fake.failing["/repos/acme/monorepo/git/trees/"] = 502
    outcome = env.ingest(max_retries=0)
    assert outcome.status == "ok", outcome.message
    [problem] = [p for p in env.problems() if p[1] == "monorepo"]
    assert problem[0] == "error" and "HTTP 502" in problem[3] and "kept the scan of" in problem[3]
    assert env.refs() == REFS  # the monorepo's entities from its last good scan
    assert env.rows("SELECT owner FROM entities WHERE ref = 'component:default/web'") == [
        ("group:default/web",)
    ]
    # the repository is read again on the next run
    del env.fake.failing["/repos/acme/monorepo/git/trees/"]
    env.fake.reset()
    assert env.ingest().status == "ok"
    assert env.fake.count("trees") == 1
    assert env.rows("SELECT owner FROM entities WHERE ref = 'component:default/web'") == [
        ("group:default/people",)
    ]
