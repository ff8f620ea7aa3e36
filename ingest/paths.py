"""Keeping file access inside the configured roots (``..``, absolute paths, symlinks out)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def real_roots(roots: Sequence[Path]) -> list[Path]:
    return [Path(os.path.realpath(root)) for root in roots]


def containing_root(path: Path, roots: Sequence[Path]) -> Path | None:
    """The root (already real) that contains ``path`` once symlinks are resolved, if any."""
    real = Path(os.path.realpath(path))
    for root in roots:
        if real == root or real.is_relative_to(root):
            return root
    return None


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    return containing_root(path, roots) is not None
