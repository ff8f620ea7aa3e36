"""The benchmark generator: deterministic, real git repositories, 1 %-changes as commits."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.generate import Size, change_repos, generate
from service.config import load_config

TINY = Size("T", 400, 40, 5, 2, 120, 300, 30)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "objects" not in p.parts):
        if path.name in ("manifest.json", "marks"):
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def test_same_seed_same_organisation(tmp_path: Path) -> None:
    a = generate(TINY, tmp_path / "a", seed=3)
    b = generate(TINY, tmp_path / "b", seed=3)
    a.pop("generate_s")
    b.pop("generate_s")
    assert a == b
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    generate(TINY, tmp_path / "c", seed=4)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")


def test_repositories_are_git_repositories_with_their_files(tmp_path: Path) -> None:
    manifest = generate(TINY, tmp_path / "org", seed=3)
    repos = sorted((tmp_path / "org" / "repos").iterdir())
    assert len(repos) == TINY.repos
    monorepos = json.loads((tmp_path / "org" / "monorepos.json").read_text())
    assert {m["shape"] for m in monorepos.values()} == {"deep", "flat"}
    name = next(iter(monorepos))
    tree = _git(tmp_path / "org" / "repos" / name, "ls-tree", "-r", "--name-only", "HEAD")
    assert set(monorepos[name]["paths"]) <= set(tree.split())
    for repo in repos[:5]:
        committed = set(_git(repo, "ls-tree", "-r", "--name-only", "HEAD").split())
        on_disk = {
            p.relative_to(repo).as_posix()
            for p in repo.rglob("*")
            if ".git" not in p.parts and p.is_file()
        }
        assert on_disk <= committed
    assert manifest["components"] > 0 and manifest["dependency_edges"] > manifest["components"]


def test_change_repos_commits_on_top_and_keeps_the_tree(tmp_path: Path) -> None:
    generate(TINY, tmp_path / "org", seed=3)
    data = tmp_path / "org"
    changed = change_repos(data, 0.1, round_no=1)
    assert len(changed) == 4
    repo = data / "repos" / changed[0]
    log = _git(repo, "log", "--format=%H %P").splitlines()
    assert len(log) == 2 and log[0].split()[1] == log[1].split()[0]
    before = set(_git(repo, "ls-tree", "-r", "--name-only", "HEAD~1").split())
    after = set(_git(repo, "ls-tree", "-r", "--name-only", "HEAD").split())
    assert before == after  # only contents changed; the files only in git are still there
    changed_files = _git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
    assert changed_files in (["catalog-info.yaml"], ["README.md"])
    path = changed_files[0]
    assert (repo / path).read_text() == _git(repo, "show", f"HEAD:{path}")
    assert json.loads((data / "manifest.json").read_text())["changed"] is True


def test_change_rounds_count_on_so_reused_data_changes_on_every_run(tmp_path: Path) -> None:
    generate(TINY, tmp_path / "org", seed=3)
    data = tmp_path / "org"
    first = change_repos(data, 0.25)
    second = change_repos(data, 0.25)
    assert json.loads((data / "manifest.json").read_text())["change_rounds"] == 2
    assert first != second  # each round picks its own repositories
    assert set(first) & set(second)  # and a repository changed twice changes again
    for name in second:
        repo = data / "repos" / name
        assert _git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
        catalog = repo / "catalog-info.yaml"
        if catalog.is_file():
            text = catalog.read_text()
            assert text.count("(rev 2) HTTP API of") == 1 and "(rev 1)" not in text


def test_the_generated_config_loads_with_the_stand_ins_on_127_0_0_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(TINY, tmp_path / "org", seed=3)
    monkeypatch.setenv("STEWARD_BENCH_AWS_URL", "http://127.0.0.1:41001")
    monkeypatch.setenv("STEWARD_BENCH_PAGERDUTY_URL", "http://127.0.0.1:41002")
    config = load_config(tmp_path / "org" / "steward.yaml")
    assert sorted(config.sources) == ["aws", "catalog", "codeowners", "pagerduty"]
