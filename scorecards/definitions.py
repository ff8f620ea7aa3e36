"""Scorecard definition files: YAML validated by pydantic, every error naming ``file:line``.

A definitions directory holds one scorecard per ``*.yaml``/``*.yml`` file (several documents per
file are allowed) and exemption files named ``exemptions*.yaml`` (see ``exemptions.py``).
A check's ``type`` picks its parameter model from ``scorecards.checks.CHECK_TYPES``; unknown
types and unknown or invalid parameters are rejected. Every error of every file is reported at
once (one ``file:line: field: message`` per line); a YAML document there that is not a
scorecard definition (no ``levels``, no ``checks``: a stray ``values.yaml``) is an error naming
it, not read as a broken scorecard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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


def read_documents(path: Path, *, mappings_only: bool = True) -> list[YamlDocument]:
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
    for doc in docs if mappings_only else ():
        if not isinstance(doc.value, dict):
            raise ConfigError(f"{path}:{doc.line}: expected a mapping")
    return docs


def line_for(doc: YamlDocument, loc: Loc) -> int:
    for end in range(len(loc), 0, -1):
        if loc[:end] in doc.field_lines:
            return doc.field_lines[loc[:end]]
    return doc.line


def validation_messages(
    path: Path, doc: YamlDocument, prefix: Loc, exc: ValidationError
) -> list[str]:
    """One ``file:line: field: message`` per error pydantic found."""
    out = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        message = "unknown key" if err["type"] == "extra_forbidden" else str(err["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        field = ".".join(str(p) for p in loc) or "(root)"
        out.append(f"{path}:{line_for(doc, loc)}: {field}: {message}")
    return out


def validation_error(
    path: Path, doc: YamlDocument, prefix: Loc, exc: ValidationError
) -> ConfigError:
    return ConfigError("\n".join(validation_messages(path, doc, prefix, exc)))


def _parse_scorecard(path: Path, doc: YamlDocument, errors: list[str]) -> Scorecard | None:
    """The scorecard of ``doc``, or None after adding every error found to ``errors``."""
    found: list[str] = []

    def fail(loc: Loc, message: str) -> None:
        field = ".".join(str(p) for p in loc) or "(root)"
        found.append(f"{path}:{line_for(doc, loc)}: {field}: {message}")

    raw: dict[str, Any] = doc.value
    header: ScorecardHeader | None = None
    try:
        header = ScorecardHeader.model_validate(raw)
    except ValidationError as exc:
        found.extend(validation_messages(path, doc, (), exc))
    levels = header.levels if header else raw.get("levels")
    if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
        levels = None  # already reported; levels of checks cannot be judged
    elif len(set(levels)) != len(levels):
        fail(("levels",), "levels must be unique")
    ranks = {level: i + 1 for i, level in enumerate(levels or [])}
    raw_checks = header.checks if header else raw.get("checks")
    checks: list[Check] = []
    seen_ids: set[str] = set()
    for i, item in enumerate(raw_checks if isinstance(raw_checks, list) else []):
        check_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(check_id, str):
            if check_id in seen_ids:
                fail(("checks", i, "id"), f"duplicate check id {check_id!r}")
            seen_ids.add(check_id)
        check = _parse_check(path, doc, i, item, ranks if levels else None, fail, found)
        if check is not None:
            checks.append(check)
    if found or header is None:
        errors.extend(found)
        return None
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


def _parse_check(
    path: Path,
    doc: YamlDocument,
    i: int,
    raw: Any,
    ranks: dict[str, int] | None,
    fail: Callable[[Loc, str], None],
    found: list[str],
) -> Check | None:
    loc: Loc = ("checks", i)
    try:
        head = CheckHeader.model_validate(raw)
    except ValidationError as exc:
        found.extend(validation_messages(path, doc, loc, exc))
        return None
    ok = True
    if head.type not in CHECK_TYPES:
        known = ", ".join(sorted(CHECK_TYPES))
        fail((*loc, "type"), f"unknown check type {head.type!r} (known: {known})")
        return None
    if ranks is not None and head.level not in ranks:
        fail((*loc, "level"), f"level {head.level!r} is not one of {list(ranks)}")
        ok = False
    params_raw = {k: v for k, v in raw.items() if k not in CheckHeader.model_fields}
    try:
        params = CHECK_TYPES[head.type].model_validate({"type": head.type, **params_raw})
    except ValidationError as exc:
        found.extend(validation_messages(path, doc, loc, exc))
        return None
    if (
        isinstance(params, DependenciesReachLevel)
        and params.scorecard is None
        and ranks is not None
        and params.required_level not in ranks
    ):
        fail(
            (*loc, "required_level"), f"level {params.required_level!r} is not one of {list(ranks)}"
        )
        ok = False
    if not ok or ranks is None:
        return None
    return Check(
        id=head.id,
        title=head.title,
        description=head.description,
        level=head.level,
        level_rank=ranks[head.level],
        weight=head.weight,
        params=params,
        line=line_for(doc, loc),
    )


NOT_A_SCORECARD = (
    "not a scorecard definition (a scorecard has id, title, levels and checks; exemptions "
    "belong in exemptions*.yaml; keep other YAML files out of the scorecards directory)"
)


def _definition_documents(path: Path, errors: list[str]) -> list[YamlDocument]:
    try:
        docs = read_documents(path, mappings_only=False)
    except ConfigError as exc:
        errors.append(str(exc))
        return []
    good = []
    for doc in docs:
        if not isinstance(doc.value, dict):
            errors.append(f"{path}:{doc.line}: expected a mapping")
        elif not {"levels", "checks"} & doc.value.keys():
            errors.append(f"{path}:{doc.line}: {NOT_A_SCORECARD}")
        else:
            good.append(doc)
    return good


def load_scorecards(directory: Path) -> list[Scorecard]:
    """Every scorecard under ``directory``, validated; raises ConfigError listing every error
    (one ``file:line: field: message`` per line)."""
    cards: list[Scorecard] = []
    errors: list[str] = []
    for path in definition_files(directory):
        for doc in _definition_documents(path, errors):
            card = _parse_scorecard(path, doc, errors)
            if card is None:
                continue
            other = next((c for c in cards if c.id == card.id), None)
            if other is not None:
                errors.append(
                    f"{path}:{line_for(doc, ('id',))}: id: duplicate scorecard id "
                    f"{card.id!r} (first defined in {other.file}:{other.line})"
                )
                continue
            cards.append(card)
    if errors:
        raise ConfigError("\n".join(errors))
    _check_references(cards)
    return cards


def _check_references(cards: Sequence[Scorecard]) -> None:
    by_id = {c.id: c for c in cards}
    errors: list[str] = []
    for card in cards:
        for check in card.checks:
            params = check.params
            if not isinstance(params, DependenciesReachLevel) or params.scorecard is None:
                continue
            target = by_id.get(params.scorecard)
            where = f"{card.file}:{check.line}: checks.{check.id}"
            if target is None:
                errors.append(f"{where}: unknown scorecard {params.scorecard!r}")
            elif params.required_level not in target.levels:
                errors.append(
                    f"{where}: required_level {params.required_level!r} is not one of "
                    f"{list(target.levels)} of scorecard {target.id!r}"
                )
    if errors:
        raise ConfigError("\n".join(errors))
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
