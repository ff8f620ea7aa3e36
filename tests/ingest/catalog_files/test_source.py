"""End to end: real files in a temp dir, the real runner, a real DuckDB file."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.catalog_files.cache import SHARDS
from ingest.runner import RunOutcome, run_source


def component(name: str, owner: str = "team-a", **spec: Any) -> str:
    extra = "".join(f"  {k}: {v}\n" for k, v in spec.items())
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{extra}"
    )


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text))
    return path


class Env:
    def __init__(self, tmp: Path, **config: Any) -> None:
        self.root = tmp / "repos"
        self.root.mkdir(parents=True)
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")
        self.config = config

    def ingest(self) -> RunOutcome:
        config = CatalogFilesConfig(type="catalog_files", roots=[self.root], **self.config)
        return run_source(self.store, "catalog", CatalogFilesSource(config), state_dir=self.state)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql).fetchall()

    def refs(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT ref FROM entities ORDER BY ref")]

    def problems(self) -> list[tuple[Any, ...]]:
        return self.rows(
            "SELECT severity, location, line, message FROM catalog_problems ORDER BY location, line"
        )


@pytest.fixture()
def env(tmp_path: Path) -> Env:
    e = Env(tmp_path)
    yield e  # type: ignore[misc]
    e.store.close()


def test_multi_document_file_is_ingested_with_relations(env: Env) -> None:
    write(
        env.root,
        "svc/catalog-info.yaml",
        component("api-svc", providesApis="[pets]") + "---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\n"
        "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: x\n",
    )
    outcome = env.ingest()
    assert outcome.status == "ok"
    assert env.refs() == ["api:default/pets", "component:default/api-svc"]
    assert ("component:default/api-svc", "providesApi", "api:default/pets") in env.rows(
        "SELECT source_ref, type, target_ref FROM relations"
    )
    assert ("api:default/pets", "apiProvidedBy", "component:default/api-svc") in env.rows(
        "SELECT source_ref, type, target_ref FROM relations"
    )
    owner, location, line = env.rows(
        "SELECT owner, location, line FROM entities WHERE name = 'api-svc'"
    )[0]
    assert (owner, location, line) == ("group:default/team-a", "repos/svc/catalog-info.yaml", 1)
    annotation = env.rows(
        "SELECT annotations->>'backstage.io/managed-by-location' FROM entities WHERE name = 'pets'"
    )[0][0]
    assert annotation == f"file:{env.root / 'svc/catalog-info.yaml'}"


def test_broken_file_does_not_block_other_files(env: Env) -> None:
    write(env.root, "good/catalog-info.yaml", component("good"))
    write(env.root, "bad/catalog-info.yaml", component("bad-one") + "---\nkind: [unclosed\n")
    env.ingest()
    assert env.refs() == ["component:default/good"]
    [(severity, location, line, message)] = env.problems()
    assert (severity, location) == ("error", "repos/bad/catalog-info.yaml")
    assert line in (10, 11)  # the unclosed flow sequence starts on 10; the parser sees EOF on 11
    assert message


def test_validation_error_rejects_only_that_entity(env: Env) -> None:
    write(
        env.root,
        "svc/catalog-info.yaml",
        component("fine") + "---\n" + component("Bad_Name!") + "---\n" + component("also-fine"),
    )
    env.ingest()
    assert env.refs() == ["component:default/also-fine", "component:default/fine"]
    [(severity, location, line, _)] = env.problems()
    assert (severity, location) == ("error", "repos/svc/catalog-info.yaml")
    assert line == 13  # metadata.name of the second document


def test_duplicate_entity_first_location_keeps_it(env: Env) -> None:
    write(env.root, "b-repo/catalog-info.yaml", component("dup", owner="team-b"))
    write(env.root, "a-repo/catalog-info.yaml", component("dup", owner="team-a"))
    env.ingest()
    assert env.rows("SELECT owner, location FROM entities") == [
        ("group:default/team-a", "repos/a-repo/catalog-info.yaml")
    ]
    [(_, location, _, message)] = env.problems()
    assert location == "repos/b-repo/catalog-info.yaml"
    assert "already defined in repos/a-repo/catalog-info.yaml" in message


def location(*targets: str, target_type: str = "file") -> str:
    lines = "".join(f"    - {t}\n" for t in targets)
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loc\n"
        f"spec:\n  type: {target_type}\n  targets:\n{lines}"
    )


def test_location_targets_are_followed_inside_roots(env: Env) -> None:
    write(env.root, "mono/catalog-info.yaml", location("./services/*/entity.yaml", "./org.yaml"))
    write(env.root, "mono/services/a/entity.yaml", component("svc-a"))
    write(env.root, "mono/services/b/entity.yaml", component("svc-b"))
    write(
        env.root,
        "mono/org.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\n"
        "metadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    )
    env.ingest()
    assert env.refs() == [
        "component:default/svc-a",
        "component:default/svc-b",
        "group:default/team-a",
        "location:default/loc",
    ]
    origin = env.rows(
        "SELECT annotations->>'backstage.io/managed-by-origin-location' "
        "FROM entities WHERE name = 'svc-a'"
    )[0][0]
    assert origin == "file:repos/mono/catalog-info.yaml"


def test_location_targets_never_escape_the_roots(env: Env, tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.yaml", component("secret"))
    os.symlink(outside, env.root / "link.yaml")
    write(
        env.root,
        "catalog-info.yaml",
        location("../outside/secret.yaml", str(outside), "./link.yaml", "./missing.yaml"),
    )
    env.ingest()
    assert env.refs() == ["location:default/loc"]
    messages = [p[3] for p in env.problems()]
    assert sum("escapes the configured roots" in m for m in messages) == 2
    assert any("absolute path" in m for m in messages)
    assert any("does not exist" in m for m in messages)


def test_symlinked_catalog_file_pointing_outside_is_not_read(env: Env, tmp_path: Path) -> None:
    outside = write(tmp_path, "elsewhere/catalog-info.yaml", component("outside"))
    (env.root / "repo").mkdir()
    os.symlink(outside, env.root / "repo" / "catalog-info.yaml")
    write(env.root, "ok/catalog-info.yaml", component("inside"))
    env.ingest()
    assert env.refs() == ["component:default/inside"]
    assert "leads outside the roots" in env.problems()[0][3]


def test_file_above_size_limit_is_rejected(tmp_path: Path) -> None:
    env = Env(tmp_path, max_file_bytes=300)
    write(env.root, "big/catalog-info.yaml", component("big", description="x" * 400))
    write(env.root, "small/catalog-info.yaml", component("small"))
    env.ingest()
    assert env.refs() == ["component:default/small"]
    assert "above the 300-byte limit" in env.problems()[0][3]
    env.store.close()


def test_non_utf8_is_kept_with_a_warning_and_alias_bomb_rejected_with_lines(env: Env) -> None:
    write(
        env.root,
        "latin1/catalog-info.yaml",
        component("latin").encode() + b"  description: caf\xe9\n",
    )
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    )
    write(env.root, "bomb/catalog-info.yaml", bomb)
    write(env.root, "ok/catalog-info.yaml", component("fine"))
    env.ingest()
    assert env.refs() == ["component:default/fine", "component:default/latin"]
    problems = {p[1]: p for p in env.problems()}
    assert problems["repos/latin1/catalog-info.yaml"][0] == "warning"
    assert problems["repos/latin1/catalog-info.yaml"][2] == 9
    assert "UTF-8" in problems["repos/latin1/catalog-info.yaml"][3]
    assert problems["repos/bomb/catalog-info.yaml"][2] is not None
    assert "alias" in problems["repos/bomb/catalog-info.yaml"][3].lower()


def test_text_placeholder_resolves_relative_to_the_file(env: Env) -> None:
    write(
        env.root,
        "svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\n"
        "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n"
        "  definition:\n    $text: ./openapi.yaml\n",
    )
    write(env.root, "svc/openapi.yaml", "openapi: 3.0.0\n")
    env.ingest()
    assert env.rows("SELECT spec->>'definition' FROM entities") == [("openapi: 3.0.0\n",)]


def test_unchanged_tree_is_not_parsed_or_stored_again(env: Env) -> None:
    write(env.root, "a/catalog-info.yaml", component("a"))
    write(env.root, "b/catalog-info.yaml", component("b"))
    first = env.ingest()
    second = env.ingest()
    assert (first.status, second.status) == ("ok", "unchanged")
    write(env.root, "b/catalog-info.yaml", component("b", owner="team-b"))
    third = env.ingest()
    assert third.status == "ok"
    assert third.report.counts["files_unchanged"] == 1
    assert env.rows("SELECT name, owner FROM entities ORDER BY 1") == [
        ("a", "group:default/team-a"),
        ("b", "group:default/team-b"),
    ]
    history = env.rows("SELECT count(*) FROM entity_rows WHERE name = 'b'")
    assert history == [(2,)]


def test_file_that_breaks_keeps_its_last_good_entities(env: Env) -> None:
    write(env.root, "a/catalog-info.yaml", component("a"))
    env.ingest()
    write(env.root, "a/catalog-info.yaml", component("a") + "  bad: [\n")
    outcome = env.ingest()
    assert outcome.status == "ok"
    assert env.refs() == ["component:default/a"]
    severities = sorted(p[0] for p in env.problems())
    assert severities == ["error", "warning"]
    assert env.rows("SELECT ok FROM catalog_files") == [(False,)]


def test_deleted_file_removes_its_entities(env: Env) -> None:
    write(env.root, "a/catalog-info.yaml", component("a"))
    gone = write(env.root, "b/catalog-info.yaml", component("b"))
    env.ingest()
    gone.unlink()
    env.ingest()
    assert env.refs() == ["component:default/a"]


def test_missing_root_fails_the_run_and_keeps_the_snapshot(env: Env) -> None:
    write(env.root, "a/catalog-info.yaml", component("a"))
    env.ingest()
    renamed = env.root.with_name("moved")
    env.root.rename(renamed)
    outcome = env.ingest()
    assert outcome.status == "failed"
    assert "does not exist (moved or unmounted?)" in (outcome.message or "")
    assert env.refs() == ["component:default/a"]


def test_parallel_parse_gives_the_same_result(tmp_path: Path) -> None:
    serial, parallel = Env(tmp_path / "s", workers=1), Env(tmp_path / "p", workers=2)
    for env in (serial, parallel):
        for i in range(210):
            write(
                env.root,
                f"r{i:03d}/catalog-info.yaml",
                component(f"svc-{i}", dependsOn=f"[component:svc-{i + 1}]"),
            )
        env.ingest()
    assert serial.refs() == parallel.refs()
    assert len(serial.refs()) == 210
    q = "SELECT source_ref, type, target_ref FROM relations ORDER BY ALL"
    assert serial.rows(q) == parallel.rows(q)
    serial.store.close()
    parallel.store.close()


def test_changing_one_file_rewrites_one_shard_of_the_parse_cache(env: Env) -> None:
    for i in range(40):
        write(env.root, f"repo-{i:02d}/catalog-info.yaml", component(f"svc-{i:02d}"))
    assert env.ingest().status == "ok"
    shards = env.state / "catalog" / "results"

    def stamps() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}

    before = stamps()
    assert len(before) == SHARDS
    write(env.root, "repo-07/catalog-info.yaml", component("svc-07", owner="team-b"))
    outcome = env.ingest()
    assert outcome.status == "ok"
    assert outcome.report.counts["files_unchanged"] == 39
    after = stamps()
    assert sum(after[name] != before[name] for name in after) == 1
    assert env.rows("SELECT owner FROM entities WHERE name = 'svc-07'") == [
        ("group:default/team-b",)
    ]
    # a new process reads the shards back: only the next changed file is parsed
    write(env.root, "repo-08/catalog-info.yaml", component("svc-08", owner="team-c"))
    outcome = env.ingest()
    assert outcome.report.counts["files_unchanged"] == 39
    assert len(env.refs()) == 40
