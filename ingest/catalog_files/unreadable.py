"""What cannot be read is an error, never a deletion: directories that deny access.

``os.walk`` skips a directory it cannot list without a word, so a tree walk alone would make the
files below it look deleted. A root that is missing or unreadable fails the whole source
(``ingest.paths.unreadable_roots``; the runner then keeps the last good snapshot). A file the
last run read that this walk did not reach, but that still exists or cannot be looked at, is
behind an unreadable directory: it keeps its last good entities, with an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

_LIST = os.R_OK | os.X_OK


def hidden_reason(real: str, roots: Sequence[Path]) -> str | None:
    """Why a file the last run read was not walked this time although it may still be there
    (the directory that cannot be listed or searched), or None if it is gone or reachable."""
    path = Path(real)
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None  # deleted: its entities go
    except OSError:
        pass
    root = next((r for r in roots if path.is_relative_to(r)), None)
    if root is None:
        return None
    directory = root
    for part in path.relative_to(root).parts[:-1]:
        if not os.access(directory, _LIST):
            break
        directory = directory / part
    else:
        if os.access(directory, _LIST):
            return None
    return f"directory {directory} cannot be read"
