"""steward.yaml: one pydantic-validated file, errors naming file, line and field.

``${ENV_VAR}`` in any string value is replaced from the environment before validation,
``${ENV_VAR:-default}`` falls back to ``default`` when the variable is unset, and ``$${``
writes a literal ``${``. Secrets arrive this way and are never logged: a model's
``repr`` shows secret fields as ``**********`` (pydantic ``SecretStr``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.errors import ConfigError, YamlError
from catalog.yaml12 import load_all
from ingest.config_types import BaseUrl as WebhookUrl
from ingest.paths import ConfigPath
from ingest.registry import SOURCE_TYPES

DEFAULT_CONFIG = Path("steward.yaml")
_ENV_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


class ApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(default=7008, ge=1, le=65535)
    tokens_env: str = "STEWARD_API_TOKENS"
    sql_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    sql_max_rows: int = Field(default=10_000, ge=1, le=1_000_000)
    metrics_auth: bool = False
    """Whether ``/metrics`` needs a token too (``/healthz`` and ``/readyz`` never do)."""
    max_body_bytes: int = Field(default=1_048_576, ge=1024)


class OwnershipGapsReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cron: str = "0 8 * * MON"
    out_dir: ConfigPath = Path("reports")
    webhook_url: WebhookUrl | None = None
    """A Slack-compatible incoming webhook (http/https only; redirects are not followed)."""


class ReportsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ownership_gaps: OwnershipGapsReportConfig = OwnershipGapsReportConfig()


class OwnershipConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stale_after_days: int | None = Field(default=14, ge=1)
    """Entities whose source has not been ingested successfully for this long are gaps."""


class StewardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: ConfigPath = Path("steward.duckdb")
    state_dir: ConfigPath | None = None
    """Where sources keep caches between runs; default: ``<database>.state`` beside the database."""
    sources: dict[str, dict[str, Any]] = {}
    scorecards: ConfigPath | None = None
    reports: ReportsConfig = ReportsConfig()
    ownership: OwnershipConfig = OwnershipConfig()
    api: ApiConfig = ApiConfig()

    # filled by load_config: the validated model of each source, in file order
    source_configs: dict[str, BaseModel] = Field(default_factory=dict, exclude=True)

    @property
    def resolved_state_dir(self) -> Path:
        return self.state_dir or self.database.with_name(self.database.name + ".state")


def default_config_path() -> Path:
    return Path(os.environ.get("STEWARD_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path | None = None) -> StewardConfig:
    path = path or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    try:
        docs = [d for d in load_all(text) if d.value is not None]
    except YamlError as exc:
        raise ConfigError(f"{path}:{exc.line}: {exc.message}") from exc
    if len(docs) != 1 or not isinstance(docs[0].value, dict):
        raise ConfigError(f"{path}: expected exactly one YAML mapping")
    doc = docs[0]
    lines: dict[tuple[str | int, ...], int] = doc.field_lines

    def fail(loc: tuple[str | int, ...], message: str) -> ConfigError:
        line = _line_for(lines, loc) or doc.line
        field = ".".join(str(p) for p in loc) or "(root)"
        return ConfigError(f"{path}:{line}: {field}: {message}")

    data = _interpolate(doc.value, (), fail)
    context = {"base_dir": path.parent.resolve()}
    try:
        config = StewardConfig.model_validate(data, context=context)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail(tuple(err["loc"]), _message(err)) from None
    for name, raw in config.sources.items():
        loc: tuple[str | int, ...] = ("sources", name)
        if not _SOURCE_NAME.match(name):
            raise fail(loc, "source names are lowercase letters, digits, '-' and '_'")
        type_name = raw.get("type")
        if type_name not in SOURCE_TYPES:
            known = ", ".join(sorted(SOURCE_TYPES))
            raise fail((*loc, "type"), f"unknown source type {type_name!r} (known: {known})")
        try:
            config.source_configs[name] = SOURCE_TYPES[type_name].config_model.model_validate(
                raw, context=context
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            raise fail((*loc, *err["loc"]), _message(err)) from None
    return config


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    return str(err["msg"])


def _line_for(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _interpolate(value: Any, loc: tuple[str | int, ...], fail: Any) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise fail(loc, f"environment variable {name} is not set")

        return _ENV_PATTERN.sub(replace, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, (*loc, k), fail) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*loc, i), fail) for i, v in enumerate(value)]
    return value
