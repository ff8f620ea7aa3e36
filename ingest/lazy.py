"""Package attributes imported on first use (``module.__getattr__``): keeps start-up light."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any


def lazy_attribute(package: str, lazy: Mapping[str, str], name: str) -> Any:
    """``name`` from the module ``lazy`` names for it; AttributeError as for a missing one."""
    module = lazy.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
