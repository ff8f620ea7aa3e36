from __future__ import annotations

from pathlib import Path

import pytest

from ingest.codeowners.git_head import GitError, read_head
from tests.ingest.codeowners.gitrepo import commit_file, git, make_repo


def test_head_of_a_branch_matches_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a"})
    git(repo, "remote", "add", "origin", "git@github.com:acme/r.git")
    head = read_head(repo)
    assert head.sha == git(repo, "rev-parse", "HEAD")
    assert head.branch == "main"
    assert head.default_branch == "main"
    assert head.remote_url == "git@github.com:acme/r.git"


def test_packed_refs_and_detached_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a"})
    second = commit_file(repo, "b.txt", "b")
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git/refs/heads/main").exists()
    assert read_head(repo).sha == second
    first = git(repo, "rev-parse", "HEAD~1")
    git(repo, "checkout", "-q", first)
    head = read_head(repo)
    assert (head.sha, head.branch) == (first, None)


def test_worktree_with_gitdir_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a"})
    git(repo, "worktree", "add", "-q", "-b", "feature", str(tmp_path / "wt"))
    sha = commit_file(tmp_path / "wt", "c.txt", "c")
    head = read_head(tmp_path / "wt")
    assert (head.sha, head.branch) == (sha, "feature")


def test_empty_repository_has_no_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {}, commit=False)
    with pytest.raises(GitError, match="has no commit"):
        read_head(repo)


def test_plain_directory_is_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        read_head(tmp_path / "plain")
