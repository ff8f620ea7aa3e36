"""Finding catalog files: walking the roots and resolving Location targets inside them."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.model import Problem
from ingest.paths import containing_root


@dataclass(frozen=True, slots=True)
class WalkedFile:
    path: str
    """``root`` joined with ``relative``: the path as walked."""
    relative: str
    """The path inside the root, ``/``-separated."""
    symlink: bool
    """The entry itself is a symlink. Directories are entered only when they are not, so a
    walked path below a real root is its own real path unless this is set."""


def scan_catalog_files(
    root: Path, filenames: Sequence[str], exclude_dirs: Sequence[str]
) -> list[WalkedFile]:
    """Entries named like ``filenames`` under ``root``, in code-point order of their relative
    paths, as ``os.walk(root, followlinks=False)`` would find them (with ``exclude_dirs`` pruned).

    One ``os.scandir`` per directory and no ``stat`` beyond what the directory entry's type
    gives. Symlinked directories are not entered; everything that is not a directory is listed
    (symlinks, FIFOs…): the reader refuses what it must (outside the roots, not a regular file).
    A directory that cannot be listed is skipped, as ``os.walk`` does; the source reports the
    files it held (``ingest.catalog_files.unreadable``)."""
    wanted = frozenset(filenames)
    excluded = frozenset(exclude_dirs)
    found: list[WalkedFile] = []
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = os.scandir(directory)
        except OSError:
            continue
        with entries:
            while True:
                try:
                    entry = next(entries)
                except StopIteration:
                    break
                except OSError:  # the listing broke off: what was read so far is kept
                    break
                try:
                    is_dir = entry.is_dir()  # follows a symlink, as os.walk does
                except OSError:
                    is_dir = False
                if is_dir:
                    if entry.name not in excluded and not entry.is_symlink():
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name in wanted:
                    found.append(WalkedFile(entry.path, prefix + entry.name, entry.is_symlink()))
    found.sort(key=lambda f: f.relative)
    return found


def walk_catalog_files(
    root: Path, filenames: Sequence[str], exclude_dirs: Sequence[str]
) -> Iterator[Path]:
    """Files named like ``filenames`` under ``root``, in code-point order of their paths
    (``scan_catalog_files`` as paths).

    Symlinked directories are not followed; symlinks and special files are returned and the
    reader refuses what it must (outside the roots, not a regular file)."""
    return (Path(f.path) for f in scan_catalog_files(root, filenames, exclude_dirs))


def location_targets(entity: dict[str, Any]) -> list[str]:
    spec = entity.get("spec")
    if not isinstance(spec, dict):
        return []
    targets: list[str] = []
    if isinstance(spec.get("target"), str):
        targets.append(spec["target"])
    if isinstance(spec.get("targets"), list):
        targets.extend(t for t in spec["targets"] if isinstance(t, str))
    return targets


def resolve_location_target(
    location_file: Path, target: str, roots: Sequence[Path]
) -> tuple[list[Path], Problem | None]:
    """Files a Location target names, or a problem explaining why it is not followed.

    Relative targets are followed whatever ``spec.type`` says: for ``url`` Locations Backstage
    resolves them against the Location's own URL, which in a local checkout is the file's own
    directory. Globs are expanded; absolute URLs and anything outside the roots are not read.
    """
    if "://" in target:
        return [], Problem(
            f"Location target {target!r} is a URL; only targets inside the "
            "configured roots are read",
            field="spec.target",
        )
    if target.endswith(("/", os.sep)):
        return [], Problem(
            f"Location target {target!r} ends with a path separator", field="spec.target"
        )
    if os.path.isabs(target):
        return [], Problem(
            f"Location target {target!r} is an absolute path; only paths "
            "relative to the Location file are allowed",
            field="spec.target",
        )
    pattern = os.path.normpath(os.path.join(location_file.parent, target))
    escape = Problem(
        f"Location target {target!r} escapes the configured roots and was not read",
        field="spec.target",
    )
    if containing_root(Path(pattern), roots) is None:
        return [], escape
    if glob.has_magic(target):
        matches = sorted(Path(p) for p in glob.glob(pattern))
    else:
        matches = [Path(pattern)] if os.path.lexists(pattern) else []
    files = [m for m in matches if not m.is_dir()]
    if not files:
        return [], Problem(f"Location target {target!r} does not exist", field="spec.target")
    inside = [m for m in files if containing_root(m, roots) is not None]
    return inside, escape if len(inside) < len(files) else None
