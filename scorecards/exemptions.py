"""Exemptions: ``exemptions*.yaml`` files beside the scorecard definitions.

```yaml
exemptions:
  - entity: component:legacy-batch-jobs   # or owner: group:team-x (every entity it owns)
    scorecard: production-readiness       # optional: default every scorecard with that check
    check: oncall                         # a check id, or "*" for every check
    reason: Batch jobs run nightly; nobody is paged.
    expires: 2027-03-31                   # applies through this date (UTC), then stops
```

An active exemption turns a ``fail`` or ``unknown`` result into ``exempt`` (a ``pass`` stays a
pass); an expired one is not applied and is reported with every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from catalog.errors import CatalogError, ConfigError
from catalog.refs import canonical_ref
from scorecards.definitions import is_exemptions_file, line_for, read_documents, validation_error


class ExemptionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str | None = None
    owner: str | None = None
    scorecard: str | None = None
    check: str
    reason: str = Field(min_length=1)
    expires: date

    @field_validator("entity")
    @classmethod
    def _entity_ref(cls, value: str | None) -> str | None:
        return None if value is None else _ref(value, "component")

    @field_validator("owner")
    @classmethod
    def _owner_ref(cls, value: str | None) -> str | None:
        return None if value is None else _ref(value, "group")

    @model_validator(mode="after")
    def _one_subject(self) -> ExemptionModel:
        if (self.entity is None) == (self.owner is None):
            raise ValueError("give exactly one of entity, owner")
        return self


class ExemptionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exemptions: list[ExemptionModel] = []


def _ref(text: str, default_kind: str) -> str:
    try:
        return canonical_ref(text, default_kind=default_kind, default_namespace="default")
    except CatalogError as exc:
        raise ValueError(f"invalid entity ref {text!r}: {exc}") from None


@dataclass(frozen=True)
class Exemption:
    entity: str | None
    owner: str | None
    scorecard: str | None
    check: str
    reason: str
    expires: date
    file: Path
    line: int

    def expired(self, today: date) -> bool:
        return today > self.expires

    @property
    def subject(self) -> str:
        return self.entity or f"everything owned by {self.owner}"


def exemption_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and is_exemptions_file(p)
    )


def load_exemptions(directory: Path) -> list[Exemption]:
    """Every exemption under ``directory``; raises ConfigError naming file:line."""
    found: list[Exemption] = []
    for path in exemption_files(directory):
        for doc in read_documents(path):
            try:
                parsed = ExemptionsFile.model_validate(doc.value)
            except ValidationError as exc:
                raise validation_error(path, doc, (), exc) from None
            for i, item in enumerate(parsed.exemptions):
                found.append(
                    Exemption(
                        entity=item.entity,
                        owner=item.owner,
                        scorecard=item.scorecard,
                        check=item.check,
                        reason=item.reason,
                        expires=item.expires,
                        file=path,
                        line=line_for(doc, ("exemptions", i)),
                    )
                )
    return found


def check_exemption_targets(exemptions: list[Exemption], checks: dict[str, set[str]]) -> None:
    """Refuse exemptions naming a scorecard or check that does not exist (likely a typo)."""
    for x in exemptions:
        where = f"{x.file}:{x.line}"
        if x.scorecard is not None and x.scorecard not in checks:
            raise ConfigError(f"{where}: scorecard: unknown scorecard {x.scorecard!r}")
        if x.check == "*":
            continue
        cards = [x.scorecard] if x.scorecard is not None else list(checks)
        if not any(x.check in checks[c] for c in cards):
            raise ConfigError(f"{where}: check: unknown check {x.check!r}")
