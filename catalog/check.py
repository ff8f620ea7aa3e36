"""``steward catalog check``: validate catalog files as Backstage would, no database needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.files import DEFAULT_MAX_FILE_BYTES, read_limited
from catalog.model import FileResult, Problem
from catalog.processing import process_file, resolve_conflicts

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class CheckedFile:
    key: str
    path: Path
    result: FileResult
    accepted: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    files: list[CheckedFile]
    relations: list[tuple[str, str, str]]
    conflicts: list[tuple[str, str, str]]

    @property
    def ok(self) -> bool:
        return all(f.result.ok for f in self.files)

    def problems(self, checked: CheckedFile) -> list[Problem]:
        result = checked.result
        found = list(result.errors)
        for entity in result.entities:
            found.extend(entity.errors)
        return sorted(found, key=lambda p: (p.line or 0, p.message))

    def to_json(self) -> dict[str, Any]:
        return {
            "files": {
                f.key: {
                    "ok": f.result.ok,
                    "errors": [
                        {"line": p.line, "message": _with_field(p)} for p in self.problems(f)
                    ],
                    "entities": f.accepted,
                }
                for f in self.files
            },
            "relations": [list(r) for r in self.relations],
            "conflicts": [list(c) for c in self.conflicts],
        }


def _with_field(problem: Problem) -> str:
    return f"{problem.message} ({problem.field})" if problem.field else problem.message


def collect_files(paths: Sequence[Path]) -> list[tuple[str, Path, Path]]:
    """(key, file, root) for every file to check; a directory contributes its YAML files."""
    found: dict[str, tuple[str, Path, Path]] = {}
    for given in paths:
        if given.is_dir():
            for file in sorted(
                p for p in given.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
            ):
                key = file.relative_to(given).as_posix()
                found.setdefault(str(file.resolve()), (key, file, given))
        else:
            found.setdefault(str(given.resolve()), (given.as_posix(), given, given.parent))
    return sorted(found.values(), key=lambda t: t[0])


def check_paths(
    paths: Sequence[Path], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> CheckReport:
    files: list[CheckedFile] = []
    for key, file, root in collect_files(paths):
        files.append(CheckedFile(key, file, _check_one(file, root, max_file_bytes)))
    accepted, conflicts = resolve_conflicts([(f.key, f.result) for f in files])
    by_key = {f.key: f for f in files}
    relations: set[tuple[str, str, str]] = set()
    for ref, (key, entity) in accepted.items():
        by_key[key].accepted.append(ref)
        relations.update(entity.relations)
    return CheckReport(files, sorted(relations), conflicts)


def _check_one(file: Path, root: Path, max_file_bytes: int) -> FileResult:
    data = read_limited(file, max_file_bytes)
    if isinstance(data, Problem):
        return FileResult(errors=[data])
    return process_file(data, path=file, roots=[root.resolve()])
