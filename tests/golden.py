"""Golden-file tests: a source's records compared with a checked-in JSON file.

``assert_golden(path, value)`` writes ``value`` as stable JSON (sorted keys, one item per line)
and compares it with ``path``; a difference fails with a unified diff of the two texts. To accept
a changed output, run the tests with ``--update-golden`` (or ``STEWARD_UPDATE_GOLDEN=1``): the
files are rewritten, and ``git diff`` shows what changed.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.records import Record
from ingest.source import SourceReport

UPDATE_ENV = "STEWARD_UPDATE_GOLDEN"
_UPDATE = {"flag": os.environ.get(UPDATE_ENV, "") not in ("", "0")}
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_LOCAL_URL = re.compile(r"http://127\.0\.0\.1:\d+")


def set_update(flag: bool) -> None:
    if flag:
        _UPDATE["flag"] = True


def normalise(value: Any, replacements: Mapping[str, str]) -> Any:
    """``value`` with machine-specific text replaced: each key of ``replacements`` (temp dirs,
    the checkout) by its value, local server URLs by ``<server>``, timestamps (text or objects)
    by ``<time>``."""
    if isinstance(value, datetime | date):
        return "<time>"
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        value = _LOCAL_URL.sub("<server>", value)
        return _TIMESTAMP.sub("<time>", value)
    if isinstance(value, Mapping):
        return {normalise(k, replacements): normalise(v, replacements) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [normalise(v, replacements) for v in value]
        return sorted(items, key=_dump) if isinstance(value, set | frozenset) else items
    return value


def records_document(
    records: Iterable[Record], report: SourceReport, replacements: Mapping[str, str]
) -> dict[str, Any]:
    """Records grouped by table (sorted: a snapshot has no order) and the run's report."""
    tables: dict[str, list[Any]] = {}
    for record in records:
        row = normalise(record._asdict(), replacements)
        tables.setdefault(record.table(), []).append(row)
    return {
        "tables": {name: sorted(rows, key=_dump) for name, rows in sorted(tables.items())},
        "report": {
            "counts": dict(sorted(report.counts.items())),
            "errors": sorted(normalise(report.errors, replacements)),
            "warnings": sorted(normalise(report.warnings, replacements)),
        },
    }


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def render(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1, default=str) + "\n"


def assert_golden(path: Path, document: Any) -> None:
    actual = render(document)
    if _UPDATE["flag"]:
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"{path} is missing; run pytest --update-golden to write it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{path.name} (checked in)",
            tofile=f"{path.name} (this run)",
            n=2,
        )
        raise AssertionError(
            f"records differ from {path} (pytest --update-golden accepts them):\n" + "".join(diff)
        )
