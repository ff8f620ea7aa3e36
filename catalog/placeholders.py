"""``$text`` / ``$json`` / ``$yaml`` placeholders, as Backstage's ``PlaceholderProcessor``.

An object whose only key is ``$text``, ``$json`` or ``$yaml`` is replaced by the content it points
at. Objects with a ``$`` key among several keys, and unknown ``$`` keys, are left as they are (as
Backstage does); a non-string value is an error. Steward's file rules on top of Backstage's:

* a relative path resolves against the directory of the file that holds the entity and must stay
  inside one of the configured roots after following symlinks; absolute paths are refused;
* a URL is fetched only from ``allowed_hosts`` (none by default); otherwise the entity is kept,
  the field holds the URL and a warning is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.errors import YamlError
from catalog.files import read_limited
from catalog.model import Problem
from catalog.rules import FieldPath, Issue, is_valid_url

Fetcher = Callable[[str], bytes]
RESOLVERS = ("text", "json", "yaml")


def fetch_with_httpx(url: str) -> bytes:
    import httpx

    response = httpx.get(url, timeout=10.0, follow_redirects=False)
    response.raise_for_status()
    return response.content


@dataclass
class PlaceholderContext:
    base_dir: Path
    roots: Sequence[Path]
    allowed_hosts: frozenset[str] = frozenset()
    max_alias_count: int = 100
    fetch: Fetcher | None = None  # None: fetch_with_httpx
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    _resolved_roots: list[Path] | None = None

    def resolved_roots(self) -> list[Path]:
        if self._resolved_roots is None:
            self._resolved_roots = [Path(r).resolve() for r in self.roots]
        return self._resolved_roots


class _PlaceholderError(Exception):
    pass


class _KeepUrl(Exception):
    pass


def _reject(key: str, value: str, why: str) -> _PlaceholderError:
    return _PlaceholderError(f"Placeholder ${key} could not read location {value}, {why}")


def _read_file(key: str, value: str, ctx: PlaceholderContext) -> bytes:
    if Path(value).is_absolute() or value.startswith(("/", "\\")):
        raise _reject(key, value, "absolute paths are not allowed")
    target = (ctx.base_dir / value).resolve()
    if not any(target == root or target.is_relative_to(root) for root in ctx.resolved_roots()):
        raise _reject(key, value, "the path resolves outside the configured roots")
    data = read_limited(target)  # never a FIFO or device (it would block or never end)
    if isinstance(data, Problem):
        raise _reject(key, value, data.message)
    return data


def _read(key: str, value: str, ctx: PlaceholderContext) -> bytes:
    if not is_valid_url(value):
        return _read_file(key, value, ctx)
    parts = urlsplit(value.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or host not in ctx.allowed_hosts:
        raise _KeepUrl
    try:
        return (ctx.fetch or fetch_with_httpx)(value)
    except Exception as exc:
        raise _reject(key, value, str(exc)) from exc


def _resolve(key: str, value: Any, ctx: PlaceholderContext) -> Any:
    if not isinstance(value, str):
        raise _PlaceholderError(
            f"Placeholder ${key} expected a string value parameter, in the form of an absolute "
            "URL or a relative path"
        )
    content = _read(key, value, ctx).decode("utf-8", errors="replace")
    if key == "text":
        return content
    if key == "json":
        try:
            return json.loads(content, parse_constant=_no_constant)
        except ValueError as exc:
            raise _PlaceholderError(
                f"Placeholder ${key} failed to parse JSON data at {value}, {exc}"
            ) from exc
    from catalog.yaml12 import load_all

    try:
        documents = load_all(content, max_alias_count=ctx.max_alias_count)
    except YamlError as exc:
        raise _PlaceholderError(
            f"Placeholder ${key} failed to parse YAML data at {value}, {exc.message}"
        ) from exc
    if len(documents) != 1:
        raise _PlaceholderError(
            f"Placeholder ${key} expected to find exactly one document of data at {value}, "
            f"found {len(documents)}"
        )
    return documents[0].value


def _no_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name} in JSON")


def _walk(data: Any, path: FieldPath, ctx: PlaceholderContext) -> Any:
    if isinstance(data, list):
        return [_walk(item, (*path, i), ctx) for i, item in enumerate(data)]
    if not isinstance(data, dict) or not data:
        return data
    if not any(isinstance(k, str) and k.startswith("$") for k in data):
        return {k: _walk(v, (*path, k), ctx) for k, v in data.items()}
    if len(data) != 1:
        return data
    ((dollar_key, value),) = data.items()
    key = dollar_key[1:]
    if key not in RESOLVERS:
        return data
    try:
        return _resolve(key, value, ctx)
    except _KeepUrl:
        ctx.warnings.append(
            Issue(
                f"Placeholder ${key} refers to {value}, whose host is not allowed; "
                "the field holds the URL instead of its content",
                path,
            )
        )
        return value
    except _PlaceholderError as exc:
        ctx.errors.append(Issue(str(exc), path))
        return data


def resolve_placeholders(entity: dict[str, Any], ctx: PlaceholderContext) -> dict[str, Any]:
    """Return ``entity`` with placeholders resolved; problems go to ``ctx.errors``/``warnings``."""
    result: dict[str, Any] = _walk(entity, (), ctx)
    return result


def has_placeholder_keys(data: Any) -> bool:
    """Cheap pre-check so that entities without ``$`` keys are not copied."""
    if isinstance(data, dict):
        return any(
            (isinstance(k, str) and k.startswith("$")) or has_placeholder_keys(v)
            for k, v in data.items()
        )
    if isinstance(data, list):
        return any(has_placeholder_keys(item) for item in data)
    return False
