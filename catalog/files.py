"""Reading one catalog file with a size limit, turning I/O failures into problems."""

from __future__ import annotations

from pathlib import Path

from catalog.model import Problem

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


def read_limited(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes | Problem:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Problem(
                f"file is {size:,} bytes, above the {max_bytes:,}-byte limit "
                "(max_file_bytes); not read"
            )
        return path.read_bytes()
    except OSError as exc:
        return Problem(f"cannot read file: {exc.strerror or exc}")
