"""``steward catalog check``: validate catalog files as Backstage would, no database needed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.files import (
    DEFAULT_CATALOG_FILENAMES,
    DEFAULT_EXCLUDE_DIRS,
    DEFAULT_MAX_FILE_BYTES,
    YAML_SUFFIXES,
    read_limited,
    walk_files,
)
from catalog.model import FileResult, Problem
from catalog.processing import process_file, resolve_conflicts


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

    def warnings(self, checked: CheckedFile) -> list[Problem]:
        """What was accepted with a remark (bytes that are not UTF-8, placeholder URLs kept)."""
        return sorted(checked.result.warnings, key=lambda p: (p.line or 0, p.message))

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


@dataclass(frozen=True)
class FileToCheck:
    key: str
    """The path relative to the given directory, or the path as given for a named file."""
    path: Path
    root: Path
    """The given directory (or a named file's directory): placeholders stay inside it."""
    named: bool
    """Named explicitly: always checked, whatever its name (but still only if regular)."""


def collect_files(
    paths: Sequence[Path],
    *,
    all_yaml: bool = False,
    filenames: Sequence[str] = DEFAULT_CATALOG_FILENAMES,
    exclude_dirs: Sequence[str] = DEFAULT_EXCLUDE_DIRS,
) -> list[FileToCheck]:
    """Every file to check, each once (by real path), sorted by key.

    A directory contributes the files the catalog_files source would read there (named like
    ``filenames``, outside ``exclude_dirs``), or every ``*.yaml``/``*.yml`` with ``all_yaml``;
    a file named explicitly is always checked."""

    def wanted(name: str) -> bool:
        return name.endswith(YAML_SUFFIXES) if all_yaml else name in filenames

    found: dict[str, FileToCheck] = {}
    for given in paths:
        if given.is_dir():
            for file in walk_files(given, wanted, exclude_dirs):
                key = file.relative_to(given).as_posix()
                found.setdefault(os.path.realpath(file), FileToCheck(key, file, given, False))
        else:
            found.setdefault(
                os.path.realpath(given), FileToCheck(given.as_posix(), given, given.parent, True)
            )
    return sorted(found.values(), key=lambda f: f.key)


def check_paths(
    paths: Sequence[Path],
    *,
    all_yaml: bool = False,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> CheckReport:
    """Check ``paths`` as Backstage would. Under a directory, a file whose real path (symlinks
    resolved) lies outside that directory, and anything that is not a regular file, is
    reported and never opened."""
    files: list[CheckedFile] = []
    for todo in collect_files(paths, all_yaml=all_yaml):
        files.append(CheckedFile(todo.key, todo.path, _check_one(todo, max_file_bytes)))
    accepted, conflicts = resolve_conflicts([(f.key, f.result) for f in files])
    by_key = {f.key: f for f in files}
    relations: set[tuple[str, str, str]] = set()
    for ref, (key, entity) in accepted.items():
        by_key[key].accepted.append(ref)
        relations.update(entity.relations)
    return CheckReport(files, sorted(relations), conflicts)


def _check_one(todo: FileToCheck, max_file_bytes: int) -> FileResult:
    root = Path(os.path.realpath(todo.root))
    data = read_limited(todo.path, max_file_bytes, roots=None if todo.named else [root])
    if isinstance(data, Problem):
        return FileResult(errors=[data])
    return process_file(data, path=todo.path, roots=[root])
