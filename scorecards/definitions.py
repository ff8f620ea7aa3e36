"""Scorecard definition files: YAML validated by pydantic, every error naming ``file:line``.

A definitions directory holds one scorecard per ``*.yaml``/``*.yml`` file (several documents per
file are allowed) and exemption files named ``exemptions*.yaml`` (see ``exemptions.py``).
A check's ``type`` picks its parameter model from ``scorecards.checks.CHECK_TYPES``; unknown
types and unknown or invalid parameters are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from catalog.errors import CatalogError, ConfigError, YamlError
from catalog.refs import canonical_ref
from catalog.yaml12 import YamlDocument, load_all
from scorecards.checks import CHECK_TYPES, CheckParams, DependenciesReachLevel

MAX_FILE_BYTES = 1_000_000
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
Loc = tuple[str | int, ...]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class ScopeFilter(BaseModel):
    """Which entities a scorecard covers; every given field must match (lists: any of)."""

    model_config = ConfigDict(extra="forbid")
    kind: list[str] = ["component"]
    type: list[str] | None = None
    lifecycle: list[str] | None = None
    tags: list[str] | None = None
    owner: list[str] | None = None
    system: list[str] | None = None
    namespace: list[str] | None = None

    _lists = field_validator(
        "kind", "type", "lifecycle", "tags", "owner", "system", "namespace", mode="before"
    )(_as_list)

    @field_validator("kind")
    @classmethod
    def _lower_kinds(cls, kinds: list[str]) -> list[str]:
        return [k.lower() for k in kinds]

    @field_validator("owner")
    @classmethod
    def _owner_refs(cls, refs: list[str] | None) -> list[str] | None:
        return None if refs is None else [_ref(r, "group") for r in refs]

    @field_validator("system")
    @classmethod
    def _system_refs(cls, refs: list[str] | None) -> list[str] | None:
        return None if refs is None else [_ref(r, "system") for r in refs]


def _ref(text: str, default_kind: str) -> str:
    try:
        return canonical_ref(text, default_kind=default_kind, default_namespace="default")
    except CatalogError as exc:
        raise ValueError(f"invalid entity ref {text!r}: {exc}") from None


class CheckHeader(BaseModel):
    """The fields every check has; the rest of the mapping are the check type's parameters."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(pattern=_ID.pattern)
    title: str
    description: str = ""
    level: str
    weight: float = Field(default=1.0, gt=0)
    type: str


class ScorecardHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID.pattern)
    title: str
    description: str = ""
    filter: ScopeFilter = ScopeFilter()
    levels: list[str] = Field(min_length=1)
    checks: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    description: str
    level: str
    level_rank: int
    """1-based position of ``level`` in the scorecard's levels."""
    weight: float
    params: CheckParams
    line: int

    @property
    def type(self) -> str:
        return self.params.type


@dataclass(frozen=True)
class Scorecard:
    id: str
    title: str
    description: str
    filter: ScopeFilter
    levels: tuple[str, ...]
    checks: tuple[Check, ...]
    file: Path
    line: int

    def depends_on(self) -> set[str]:
        """Other scorecards whose levels this one's dependency-aware checks read."""
        return {
            c.params.scorecard
            for c in self.checks
            if isinstance(c.params, DependenciesReachLevel)
            and c.params.scorecard is not None
            and c.params.scorecard != self.id
        }


def is_exemptions_file(path: Path) -> bool:
    return path.name.startswith("exemptions")


def definition_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ConfigError(f"{directory}: scorecards directory does not exist")
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and not is_exemptions_file(p)
    )


def read_documents(path: Path) -> list[YamlDocument]:
    """The non-empty YAML documents of ``path``; errors name the file (and line)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        docs = [d for d in load_all(text) if d.value is not None]
    except YamlError as exc:
        raise ConfigError(f"{path}:{exc.line or 1}: {exc.message}") from None
    for doc in docs:
        if not isinstance(doc.value, dict):
            raise ConfigError(f"{path}:{doc.line}: expected a mapping")
    return docs


def line_for(doc: YamlDocument, loc: Loc) -> int:
    for end in range(len(loc), 0, -1):
        if loc[:end] in doc.field_lines:
            return doc.field_lines[loc[:end]]
    return doc.line


def validation_error(
    path: Path, doc: YamlDocument, prefix: Loc, exc: ValidationError
) -> ConfigError:
    err = exc.errors()[0]
    loc = (*prefix, *err["loc"])
    message = "unknown key" if err["type"] == "extra_forbidden" else str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    field = ".".join(str(p) for p in loc) or "(root)"
    return ConfigError(f"{path}:{line_for(doc, loc)}: {field}: {message}")


def _parse_scorecard(path: Path, doc: YamlDocument) -> Scorecard:
    def fail(loc: Loc, message: str) -> ConfigError:
        field = ".".join(str(p) for p in loc) or "(root)"
        return ConfigError(f"{path}:{line_for(doc, loc)}: {field}: {message}")

    try:
        header = ScorecardHeader.model_validate(doc.value)
    except ValidationError as exc:
        raise validation_error(path, doc, (), exc) from None
    if len(set(header.levels)) != len(header.levels):
        raise fail(("levels",), "levels must be unique")
    ranks = {level: i + 1 for i, level in enumerate(header.levels)}
    checks: list[Check] = []
    for i, raw in enumerate(header.checks):
        loc: Loc = ("checks", i)
        try:
            head = CheckHeader.model_validate(raw)
        except ValidationError as exc:
            raise validation_error(path, doc, loc, exc) from None
        if head.type not in CHECK_TYPES:
            known = ", ".join(sorted(CHECK_TYPES))
            raise fail((*loc, "type"), f"unknown check type {head.type!r} (known: {known})")
        if head.level not in ranks:
            raise fail((*loc, "level"), f"level {head.level!r} is not one of {header.levels}")
        if any(c.id == head.id for c in checks):
            raise fail((*loc, "id"), f"duplicate check id {head.id!r}")
        params_raw = {k: v for k, v in raw.items() if k not in CheckHeader.model_fields}
        try:
            params = CHECK_TYPES[head.type].model_validate({"type": head.type, **params_raw})
        except ValidationError as exc:
            raise validation_error(path, doc, loc, exc) from None
        if isinstance(params, DependenciesReachLevel):
            target = params.scorecard or header.id
            if target == header.id and params.required_level not in ranks:
                raise fail(
                    (*loc, "required_level"),
                    f"level {params.required_level!r} is not one of {header.levels}",
                )
        checks.append(
            Check(
                id=head.id,
                title=head.title,
                description=head.description,
                level=head.level,
                level_rank=ranks[head.level],
                weight=head.weight,
                params=params,
                line=line_for(doc, loc),
            )
        )
    return Scorecard(
        id=header.id,
        title=header.title,
        description=header.description,
        filter=header.filter,
        levels=tuple(header.levels),
        checks=tuple(checks),
        file=path,
        line=doc.line,
    )


def load_scorecards(directory: Path) -> list[Scorecard]:
    """Every scorecard under ``directory``, validated; raises ConfigError naming file:line."""
    cards: list[Scorecard] = []
    for path in definition_files(directory):
        for doc in read_documents(path):
            card = _parse_scorecard(path, doc)
            for other in cards:
                if other.id == card.id:
                    raise ConfigError(
                        f"{path}:{line_for(doc, ('id',))}: id: duplicate scorecard id "
                        f"{card.id!r} (first defined in {other.file}:{other.line})"
                    )
            cards.append(card)
    _check_references(cards)
    return cards


def _check_references(cards: Sequence[Scorecard]) -> None:
    by_id = {c.id: c for c in cards}
    for card in cards:
        for check in card.checks:
            params = check.params
            if not isinstance(params, DependenciesReachLevel) or params.scorecard is None:
                continue
            target = by_id.get(params.scorecard)
            where = f"{card.file}:{check.line}: checks.{check.id}"
            if target is None:
                raise ConfigError(f"{where}: unknown scorecard {params.scorecard!r}")
            if params.required_level not in target.levels:
                raise ConfigError(
                    f"{where}: required_level {params.required_level!r} is not one of "
                    f"{list(target.levels)} "
                    f"of scorecard {target.id!r}"
                )
    order_scorecards(cards)


def order_scorecards(cards: Sequence[Scorecard]) -> list[Scorecard]:
    """Scorecards in evaluation order: one read by another's dependency check comes first."""
    by_id = {c.id: c for c in cards}
    done: dict[str, Scorecard] = {}
    visiting: list[str] = []

    def visit(card: Scorecard) -> None:
        if card.id in done:
            return
        if card.id in visiting:
            cycle = " -> ".join([*visiting[visiting.index(card.id) :], card.id])
            raise ConfigError(f"{card.file}:{card.line}: scorecards depend on each other: {cycle}")
        visiting.append(card.id)
        for dep in sorted(card.depends_on()):
            if dep in by_id:
                visit(by_id[dep])
        visiting.pop()
        done[card.id] = card

    for card in cards:
        visit(card)
    return list(done.values())


def select_scorecards(cards: Sequence[Scorecard], only: Sequence[str]) -> list[Scorecard]:
    """``only`` and the scorecards they read, in evaluation order (all when ``only`` is empty)."""
    by_id = {c.id: c for c in cards}
    unknown = [s for s in only if s not in by_id]
    if unknown:
        known = ", ".join(sorted(by_id)) or "none"
        raise ConfigError(f"unknown scorecard {', '.join(unknown)} (defined: {known})")
    if not only:
        return order_scorecards(cards)
    wanted: set[str] = set()
    stack = list(only)
    while stack:
        sid = stack.pop()
        if sid not in wanted:
            wanted.add(sid)
            stack.extend(by_id[sid].depends_on())
    return [c for c in order_scorecards(cards) if c.id in wanted]
