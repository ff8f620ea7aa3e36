"""The one state-file format of the sources' caches: round trip, and unreadable means empty."""

from __future__ import annotations

import importlib
import pickle
import sys
from pathlib import Path

import pytest

from ingest.state import load_state, save_state


def test_round_trip_is_atomic_and_keyed(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "cache.pickle"
    save_state(path, {"a": [1, b"x"]}, version=3, key="settings")
    assert load_state(path, version=3, key="settings") == {"a": [1, b"x"]}
    assert load_state(path, version=4, key="settings") is None  # another version
    assert load_state(path, version=3, key="other") is None  # other settings
    assert [p.name for p in path.parent.iterdir()] == ["cache.pickle"]  # no temp file left


def test_missing_corrupt_or_foreign_files_read_as_empty(tmp_path: Path) -> None:
    assert load_state(tmp_path / "missing", version=1) is None
    corrupt = tmp_path / "corrupt"
    corrupt.write_bytes(b"\x80\x05not a pickle")
    assert load_state(corrupt, version=1) is None
    foreign = tmp_path / "foreign"
    foreign.write_bytes(pickle.dumps((1, "key", {"old": "format"})))
    assert load_state(foreign, version=1, key="key") is None


def test_a_class_that_moved_since_the_file_was_written_reads_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "old_records.py").write_text("class Record:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("old_records")
    path = tmp_path / "cache.pickle"
    save_state(path, [module.Record()], version=1)
    assert load_state(path, version=1) is not None
    # the module moves away (as ingest/repositories/ did)
    (tmp_path / "old_records.py").unlink()
    monkeypatch.delitem(sys.modules, "old_records")
    assert load_state(path, version=1) is None
