"""The :class:`CodeOwners` facade: parse once, then ask who owns a path."""

from __future__ import annotations

from catalog.model import Problem

from .matcher import RuleIndex
from .parser import Rule, parse_codeowners

__all__ = ["CodeOwners"]


class CodeOwners:
    """A parsed CODEOWNERS file with GitHub's semantics (the last matching rule wins)."""

    def __init__(self, text: str | bytes = "") -> None:
        parsed = parse_codeowners(text)
        self.rules: list[Rule] = parsed.rules
        self.problems: list[Problem] = parsed.problems
        self._index = RuleIndex(parsed.patterns)
        self._lookup = self._index.lookup

    @classmethod
    def parse(cls, text: str | bytes) -> CodeOwners:
        """Parse CODEOWNERS text; invalid or unsupported lines are skipped and reported in
        :attr:`problems`, never raised."""
        return cls(text)

    def rule_for(self, path: str) -> Rule | None:
        """The last rule whose pattern matches ``path`` (relative to the repo root), or None."""
        i = self._lookup(path)
        return self.rules[i] if i >= 0 else None

    def owners_for(self, path: str) -> list[str]:
        """Owners of the last matching rule, in file order; [] when no rule matches or the
        matching rule has no owners."""
        i = self._index.lookup(path)
        return list(self.rules[i].owners) if i >= 0 else []

    def __repr__(self) -> str:
        return f"CodeOwners(rules={len(self.rules)}, problems={len(self.problems)})"
