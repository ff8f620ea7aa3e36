"""Issue 14.5/14.6: only regular files inside the roots are ever opened, by the ingest and by
``steward catalog check`` alike; what is skipped is reported."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.check import check_paths
from tests.ingest.catalog_files.test_source import Env, component, write

LOCATION = (
    "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loc\n"
    "spec:\n  type: file\n  targets: [./target-fifo.yaml]\n"
)


def finishes(action: Callable[[], Any], fifos: list[Path], seconds: float = 20) -> Any:
    """Run ``action``; if it blocks on a FIFO, release the FIFO (so the test ends) and fail."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(action()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail("blocked opening a FIFO")
    return result[0]


@pytest.fixture()
def hostile(tmp_path: Path) -> Iterator[tuple[Env, list[Path]]]:
    env = Env(tmp_path)
    fifo = env.root / "fifo-repo" / "catalog-info.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    target_fifo = env.root / "loc-repo" / "target-fifo.yaml"
    target_fifo.parent.mkdir()
    os.mkfifo(target_fifo)
    write(env.root, "loc-repo/catalog-info.yaml", LOCATION)
    (env.root / "zero-repo").mkdir()
    os.symlink("/dev/zero", env.root / "zero-repo" / "catalog-info.yaml")
    (env.root / "sock-repo").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    with contextlib.suppress(OSError):  # a path too long for AF_UNIX: no socket then
        sock.bind(str(env.root / "sock-repo" / "catalog-info.yaml"))
    write(env.root, "ok/catalog-info.yaml", component("fine"))
    yield env, [fifo, target_fifo]
    sock.close()
    env.store.close()


def test_ingest_opens_only_regular_files_and_reports_the_rest(
    hostile: tuple[Env, list[Path]],
) -> None:
    env, fifos = hostile
    outcome = finishes(env.ingest, fifos)
    assert outcome.status == "ok"
    assert env.refs() == ["component:default/fine", "location:default/loc"]
    problems = {p[1]: p[3] for p in env.problems()}
    assert "a FIFO, not a regular file" in problems["repos/fifo-repo/catalog-info.yaml"]
    assert "outside the roots" in problems["repos/zero-repo/catalog-info.yaml"]
    assert "a FIFO, not a regular file" in problems["repos/loc-repo/target-fifo.yaml"]
    if (env.root / "sock-repo" / "catalog-info.yaml").exists():
        assert "a socket" in problems["repos/sock-repo/catalog-info.yaml"]


def test_check_opens_only_regular_files_and_reports_the_rest(
    hostile: tuple[Env, list[Path]],
) -> None:
    env, fifos = hostile
    report = finishes(lambda: check_paths([env.root]), fifos).to_json()
    files = report["files"]
    assert files["ok/catalog-info.yaml"]["ok"] is True
    assert "a FIFO" in files["fifo-repo/catalog-info.yaml"]["errors"][0]["message"]
    assert "outside the roots" in files["zero-repo/catalog-info.yaml"]["errors"][0]["message"]
    # --all-yaml lists the Location's target FIFO too; it is reported, never opened.
    report = finishes(lambda: check_paths([env.root], all_yaml=True), fifos).to_json()
    assert "a FIFO" in report["files"]["loc-repo/target-fifo.yaml"]["errors"][0]["message"]


def test_check_never_reads_a_symlink_leading_outside_the_directory(tmp_path: Path) -> None:
    outside = write(tmp_path, "elsewhere/catalog-info.yaml", component("outside"))
    root = tmp_path / "repos"
    (root / "repo").mkdir(parents=True)
    os.symlink(outside, root / "repo" / "catalog-info.yaml")  # absolute target outside
    os.symlink("../../elsewhere", root / "repo" / "linked-dir")  # a directory: not entered
    write(root, "ok/catalog-info.yaml", component("inside"))
    report = check_paths([root]).to_json()
    assert report["files"]["repo/catalog-info.yaml"]["entities"] == []
    assert report["files"]["repo/catalog-info.yaml"]["ok"] is False
    assert "outside the roots" in report["files"]["repo/catalog-info.yaml"]["errors"][0]["message"]
    assert sorted(report["files"]) == ["ok/catalog-info.yaml", "repo/catalog-info.yaml"]
    # The same file named explicitly is what the user asked for: it is checked.
    named = check_paths([root / "repo" / "catalog-info.yaml"]).to_json()
    assert [f["entities"] for f in named["files"].values()] == [["component:default/outside"]]


def test_text_placeholder_never_opens_a_fifo(tmp_path: Path) -> None:
    env = Env(tmp_path)
    os.mkfifo(env.root / "desc.txt")
    write(
        env.root,
        "catalog-info.yaml",
        component("svc") + "  description:\n    $text: ./desc.txt\n",
    )
    finishes(env.ingest, [env.root / "desc.txt"])
    assert env.refs() == []
    assert any("a FIFO" in p[3] for p in env.problems())
    env.store.close()
