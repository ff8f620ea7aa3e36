"""Keeping file access inside the configured roots (``..``, absolute paths, symlinks out)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator

from catalog.errors import SourceError


def real_roots(roots: Sequence[Path]) -> list[Path]:
    return [Path(os.path.realpath(root)) for root in roots]


def unreadable_roots(roots: Sequence[Path]) -> None:
    """Raise SourceError if a root is missing, not a directory or cannot be listed."""
    for root in roots:
        if not root.is_dir():
            what = "does not exist" if not os.path.lexists(root) else "is not a directory"
            raise SourceError(
                f"root {root} {what} (moved or unmounted?); nothing was read and the last good "
                "snapshot is kept"
            )
        try:
            with os.scandir(root):
                pass
        except OSError as exc:
            raise SourceError(
                f"root {root} cannot be read ({exc.strerror or exc}); nothing was read and the "
                "last good snapshot is kept"
            ) from None


def containing_root(path: Path, roots: Sequence[Path], *, resolved: bool = False) -> Path | None:
    """The root (already real) that contains ``path`` once symlinks are resolved, if any.

    ``resolved=True`` says ``path`` is already a real path (saves a realpath per call)."""
    real = path if resolved else Path(os.path.realpath(path))
    for root in roots:
        if real == root or real.is_relative_to(root):
            return root
    return None


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    return containing_root(path, roots) is not None


def _resolve_against_config(
    value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Path:
    path = handler(value)
    assert isinstance(path, Path)
    base = (info.context or {}).get("base_dir") if isinstance(info.context, dict) else None
    if base is not None and not path.is_absolute():
        return Path(base) / path
    return path


ConfigPath = Annotated[Path, WrapValidator(_resolve_against_config)]
"""A path in steward.yaml: relative paths are relative to the config file's directory."""
