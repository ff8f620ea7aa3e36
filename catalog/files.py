"""Opening catalog files safely: only regular files, only inside the given roots, size-limited.

One rule for every reader (``steward catalog check``, the catalog_files and codeowners sources,
placeholders): a FIFO, device or socket is never opened (opening a FIFO blocks until a writer
appears; ``/dev/zero`` never ends), and a path whose real location (symlinks resolved) lies
outside the roots is never opened. What is refused comes back as a ``Problem`` to report.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from catalog.model import Problem

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_CATALOG_FILENAMES = ("catalog-info.yaml", "catalog-info.yml")
"""The names the catalog_files source (and ``steward catalog check DIR``) looks for."""
DEFAULT_EXCLUDE_DIRS = (".git", "node_modules", ".venv", "__pycache__")
YAML_SUFFIXES = (".yaml", ".yml")

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def not_regular(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO", …), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def outside_roots(path: Path, roots: Sequence[Path]) -> bool:
    """Does ``path`` (symlinks resolved) lie outside every root (roots already real)?"""
    real = Path(os.path.realpath(path))
    return not any(real == root or real.is_relative_to(root) for root in roots)


def skipped_problem(what: str) -> Problem:
    return Problem(f"{what}, not a regular file: skipped, never opened")


OUTSIDE_ROOTS = "file is a symlink that leads outside the roots; not read"


def read_limited(
    path: Path,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    *,
    roots: Sequence[Path] | None = None,
) -> bytes | Problem:
    """The bytes of ``path`` if it is a regular file (inside ``roots``, when given) of at most
    ``max_bytes``; otherwise the problem to report. Never blocks on a FIFO."""
    if roots is not None and outside_roots(path, roots):
        return Problem(OUTSIDE_ROOTS)
    try:
        what = not_regular(os.stat(path).st_mode)
        if what is not None:
            return skipped_problem(what)
        # O_NONBLOCK: should a FIFO be swapped in after the stat, open() still returns.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return Problem(f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        what = not_regular(info.st_mode)
        if what is not None:
            return skipped_problem(what)
        if info.st_size > max_bytes:
            return Problem(
                f"file is {info.st_size:,} bytes, above the {max_bytes:,}-byte limit "
                "(max_file_bytes); not read"
            )
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return Problem(f"cannot read file: {exc.strerror or exc}")
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        return Problem(f"file grew above the {max_bytes:,}-byte limit (max_file_bytes); not read")
    return data


def walk_files(
    root: Path, wanted: Callable[[str], bool], exclude_dirs: Sequence[str] = ()
) -> list[Path]:
    """Entries named as ``wanted`` says under ``root``, in code-point order of their relative
    paths. Symlinked directories are not entered; everything that is not a directory is
    listed (symlinks, FIFOs…): ``read_limited`` decides what may be opened and says why not."""
    excluded = set(exclude_dirs)
    found: list[Path] = []
    for dirpath, dirnames, files in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if d not in excluded]
        found.extend(Path(dirpath, name) for name in files if wanted(name))
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found
