"""steward.yaml: one pydantic-validated file, errors naming file, line and field.

``${ENV_VAR}`` in any string value is replaced from the environment before validation,
``${ENV_VAR:-default}`` falls back to ``default`` when the variable is unset, and ``$${``
writes a literal ``${``. Secrets arrive this way and are never logged: a model's
``repr`` shows secret fields as ``**********`` (pydantic ``SecretStr``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
)

from catalog.errors import ConfigError, YamlError
from catalog.secrets import register as register_secret
from catalog.secrets import secret_problem
from catalog.yaml12 import load_all
from ingest.allowed_hosts import HostPolicy, HostRule
from ingest.config_types import BaseUrl as WebhookUrl
from ingest.guard import MassDeleteGuard
from ingest.paths import ConfigPath
from ingest.registry import SOURCE_TYPES
from ingest.schedule import Crontab

DEFAULT_CONFIG = Path("steward.yaml")
_ENV_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def _host_entry(value: str) -> str:
    HostRule.parse(value)  # ValueError names what is wrong with the entry
    return value


AllowedHost = Annotated[str, AfterValidator(_host_entry)]


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
    cron: Crontab = "0 8 * * MON"
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


class HistoryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep_days: int | None = Field(default=180, ge=1)
    """Ingest and scorecard history older than this is pruned after each pipeline run;
    ``null`` keeps everything."""


class MassDeleteConfig(BaseModel):
    """A run that would remove more than ``max_share`` of a source's objects (and at least
    ``min_count`` of them) keeps the previous snapshot and fails (see ``ingest.guard``)."""

    model_config = ConfigDict(extra="forbid")
    max_share: float = Field(default=0.2, gt=0, le=1)
    min_count: int = Field(default=10, ge=1)

    def guard(self) -> MassDeleteGuard:
        return MassDeleteGuard(max_share=self.max_share, min_count=self.min_count)


class StewardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: ConfigPath = Path("steward.duckdb")
    database_memory_limit: str | None = Field(
        default="384MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
    )
    """DuckDB's memory limit where the database is written (``steward serve``'s writer,
    ``steward ingest``, ``steward scorecard run``); beyond it DuckDB drops cached blocks and
    spills to ``<database>.tmp``. ``null``: DuckDB's default, 80% of RAM, which it keeps
    filling with cached blocks (at organisation L: +380 MB in the writer)."""
    state_dir: ConfigPath | None = None
    """Where sources keep caches between runs; default: ``<database>.state`` beside the database."""
    sources: dict[str, dict[str, Any]] = {}
    scorecards: ConfigPath | None = None
    reports: ReportsConfig = ReportsConfig()
    ownership: OwnershipConfig = OwnershipConfig()
    api: ApiConfig = ApiConfig()
    history: HistoryConfig = HistoryConfig()
    mass_delete: MassDeleteConfig = MassDeleteConfig()
    allowed_hosts: list[AllowedHost] = []
    """Hosts (``host``, ``host:port``, ``*.domain``) that source base URLs, AWS endpoints and
    the webhook may point to, besides the official ones (``ingest.allowed_hosts``)."""

    # filled by load_config: the validated model of each source, in file order
    source_configs: dict[str, BaseModel] = Field(default_factory=dict, exclude=True)
    _locator: _Locator | None = PrivateAttr(default=None)

    @property
    def resolved_state_dir(self) -> Path:
        return self.state_dir or self.database.with_name(self.database.name + ".state")

    def host_policy(self) -> HostPolicy:
        """The official API hosts plus ``allowed_hosts``: what requests may reach."""
        return HostPolicy.of(self.allowed_hosts)

    def error(self, loc: tuple[str | int, ...], message: str) -> ConfigError:
        """A ConfigError naming this config's file, the line of ``loc`` and the field."""
        if self._locator is None:
            return ConfigError(f"{'.'.join(str(p) for p in loc)}: {message}")
        return self._locator.error(loc, message)

    def check_runnable(self) -> None:
        """Raise ConfigError (file:line: field) if an ingest cannot work with this config:
        a source root that is missing, an unwritable database or state directory."""
        for name, source_config in self.source_configs.items():
            roots = getattr(source_config, "roots", None)
            for index, root in enumerate(roots if isinstance(roots, list) else []):
                if isinstance(root, Path) and not root.is_dir():
                    what = "does not exist" if not os.path.lexists(root) else "is not a directory"
                    raise self.error(("sources", name, "roots", index), f"root {root} {what}")
        problem = _unwritable(self.database.parent)
        if problem is None and self.database.exists() and not os.access(self.database, os.W_OK):
            problem = f"{self.database} is not writable"
        if problem is not None:
            raise self.error(("database",), f"cannot write the database: {problem}")
        problem = _unwritable(self.resolved_state_dir)
        if problem is not None:
            loc = ("state_dir",) if self.state_dir is not None else ("database",)
            raise self.error(loc, f"cannot write the state directory: {problem}")


@dataclass(frozen=True)
class _Locator:
    """Turns a field path into ``file:line: field: message`` for one loaded config file."""

    path: Path
    lines: dict[tuple[str | int, ...], int]
    default_line: int

    def error(self, loc: tuple[str | int, ...], message: str) -> ConfigError:
        line = _line_for(self.lines, loc) or self.default_line
        field = ".".join(str(p) for p in loc) or "(root)"
        return ConfigError(f"{self.path}:{line}: {field}: {message}")


def _unwritable(directory: Path) -> str | None:
    """Why files cannot be created in ``directory`` (created if missing), or None."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


def default_config_path() -> Path:
    return Path(os.environ.get("STEWARD_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path | None = None, *, sources: bool = True) -> StewardConfig:
    """Load and validate steward.yaml; raise ConfigError naming file, line and field.

    With ``sources=False`` (read-only commands) the ``sources`` section is neither interpolated
    nor validated, so a reader needs none of the sources' ``${ENV}`` secrets."""
    path = path or default_config_path()
    text = _read_config_text(path)
    try:
        docs = [d for d in load_all(text) if d.value is not None]
    except YamlError as exc:
        raise ConfigError(f"{path}:{exc.line}: {exc.message}") from exc
    if not docs:
        raise ConfigError(f"{path}:1: the file is empty; it must be a mapping (database:, …)")
    if len(docs) > 1:
        raise ConfigError(f"{path}:{docs[1].line}: a second YAML document; steward.yaml holds one")
    if not isinstance(docs[0].value, dict):
        kind = "a list" if isinstance(docs[0].value, list) else f"a {type(docs[0].value).__name__}"
        raise ConfigError(
            f"{path}:{docs[0].line}: the top level is {kind}; it must be a mapping (database:, …)"
        )
    doc = docs[0]
    locator = _Locator(path, doc.field_lines, doc.line)
    fail = locator.error

    raw: dict[str, Any] = dict(doc.value)
    raw_sources = raw.pop("sources", None)
    data = _interpolate(raw, (), fail)
    if raw_sources is not None:
        data["sources"] = _interpolate(raw_sources, ("sources",), fail) if sources else {}
    context = {"base_dir": path.parent.resolve()}
    try:
        config = StewardConfig.model_validate(data, context=context)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail(tuple(err["loc"]), _message(err)) from None
    config._locator = locator
    if config.database.is_dir():
        raise fail(("database",), f"{config.database} is a directory; name a database file")
    for name, raw_source in config.sources.items():
        config.source_configs[name] = _source_config(name, raw_source, context, fail)
    _check_hosts(config, fail)
    return config


def _check_hosts(config: StewardConfig, fail: Any) -> None:
    """Every URL the config names must be http(s) to an allowed host (``allowed_hosts``)."""
    policy = config.host_policy()
    urls: list[tuple[tuple[str | int, ...], str]] = [
        (("sources", name, *loc), url)
        for name, model in config.source_configs.items()
        for loc, url in _urls_of(model)
    ]
    webhook = config.reports.ownership_gaps.webhook_url
    if webhook is not None:
        urls.append((("reports", "ownership_gaps", "webhook_url"), webhook))
    for loc, url in urls:
        problem = policy.problem(url)
        if problem is not None:
            raise fail(loc, problem)


def _urls_of(model: BaseModel) -> list[tuple[tuple[str, ...], str]]:
    """Every URL field (``base_url``, ``endpoint_url``, …) set in ``model``, nested included."""
    found: list[tuple[tuple[str, ...], str]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name.endswith("url") and isinstance(value, str):
            found.append(((name,), value))
        elif isinstance(value, BaseModel):
            found.extend(((name, *sub), url) for sub, url in _urls_of(value))
    return found


def _source_config(name: str, raw: dict[str, Any], context: dict[str, Any], fail: Any) -> BaseModel:
    loc: tuple[str | int, ...] = ("sources", name)
    if not _SOURCE_NAME.match(name):
        raise fail(loc, "source names are lowercase letters, digits, '-' and '_'")
    type_name = raw.get("type")
    if type_name not in SOURCE_TYPES:
        known = ", ".join(sorted(SOURCE_TYPES))
        raise fail((*loc, "type"), f"unknown source type {type_name!r} (known: {known})")
    try:
        source_config = SOURCE_TYPES[type_name].config_model.model_validate(raw, context=context)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail((*loc, *err["loc"]), _message(err)) from None
    for field_loc, secret in _secrets_of(source_config):
        problem = secret_problem(secret)
        if problem is not None:
            raise fail((*loc, *field_loc), problem)
        register_secret(secret)
    return source_config


def _read_config_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (pass --config FILE or set $STEWARD_CONFIG)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None


def _secrets_of(model: BaseModel) -> list[tuple[tuple[str, ...], str]]:
    """Every ``SecretStr`` value in ``model`` (nested models included) with its field path."""
    found: list[tuple[tuple[str, ...], str]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            found.append(((name,), value.get_secret_value()))
        elif isinstance(value, BaseModel):
            found.extend(((name, *sub), secret) for sub, secret in _secrets_of(value))
    return found


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
