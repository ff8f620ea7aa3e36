"""What a source keeps between runs in its state directory: one file format for every cache.

A state file is a pickle (protocol 5) of ``(FORMAT, version, key, payload)``, written aside and
renamed into place, so a crash never leaves half a file. ``version`` is the writer's own (bump it
when the payload's shape changes); ``key`` is what the payload is valid for (usually a hash of the
source's settings). Reading returns None for a file that is missing, unreadable, from another
version or key, or pickled with classes that no longer exist: a cache that cannot be read is
simply empty, and the source does the work again.

The state directory belongs to the machine running Steward (``state_dir`` in ``steward.yaml``);
its files are never read from anywhere else, which is what makes pickle acceptable here.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "steward-state-1"
_UNREADABLE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    ImportError,  # a class that moved since the file was written
    IndexError,
    MemoryError,
)


def save_state(path: Path, payload: object, *, version: int, key: str = "") -> None:
    """Write ``payload`` to ``path`` atomically (the directory is created if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((FORMAT, version, key, payload), fh, protocol=5)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_state(path: Path, *, version: int, key: str = "") -> Any | None:
    """The payload saved at ``path`` with this ``version`` and ``key``, or None."""
    try:
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
    except _UNREADABLE:
        return None
    if (
        isinstance(loaded, tuple)
        and len(loaded) == 4
        and loaded[0] == FORMAT
        and loaded[1] == version
        and loaded[2] == key
    ):
        return loaded[3]
    return None
