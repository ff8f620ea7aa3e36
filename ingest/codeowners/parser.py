"""CODEOWNERS line parsing.

Each line is ``pattern owner...``: blank lines and lines whose first non-blank character is
``#`` are ignored, and an unescaped ``#`` that starts a word begins an inline comment (GitHub's
own example file has ``*.js @js-owner #This is an inline comment.``). In a pattern ``\\``
escapes the next character, so ``\\ `` is a space and ``\\#`` a ``#`` inside the pattern.
Owners are ``@username``, ``@org/team-name`` or an e-mail address; a pattern with no owners
is valid and clears ownership for what it matches.

GitHub skips any line with invalid syntax ("If any line in your CODEOWNERS file contains
invalid syntax, that line will be skipped") and so do we: the line is reported as a
:class:`~catalog.model.Problem` with its 1-based line number and contributes no rule. That
covers invalid owners and the gitignore features GitHub does not support in CODEOWNERS:
``!`` negation, ``[ ]`` character ranges and ``\\#`` escaping at the start of a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.model import Problem

from .matcher import CompiledPattern, PatternError, compile_pattern, compile_uncached

__all__ = ["ParsedFile", "Rule", "classify_owner", "parse_codeowners"]

# A word: escape pairs or characters other than blanks/backslash; a lone trailing backslash is
# kept so the pattern can be reported as an unfinished escape.
_WORD = re.compile(r"(?:\\[\s\S]|[^ \t\\])+\\?|\\")

# GitLab's ``[Section]``, ``^[Optional]``, ``[Section][2]`` headers, optionally with owners.
_GITLAB_SECTION = re.compile(r"\^?\[[^\]]+\](?:\[\d+\])?(?:[ \t].*)?")

# the owner syntax (``_classify_owner`` implements the first two with str methods)
_USERNAME = re.compile(r"@[A-Za-z0-9_-]+")
_TEAM = re.compile(r"@[A-Za-z0-9_-]+/[A-Za-z0-9_-]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def classify_owner(owner: str) -> str | None:
    """``"team"``, ``"user"`` or ``"email"`` for a valid owner, None for invalid syntax."""
    kind = _OWNER_KINDS.get(owner, "?")
    if kind == "?":
        kind = _classify_owner(owner)
        if len(_OWNER_KINDS) >= 65_536:
            _OWNER_KINDS.clear()
        _OWNER_KINDS[owner] = kind
    return kind


def _classify_owner(owner: str) -> str | None:
    if owner[:1] == "@":  # _TEAM or _USERNAME (an e-mail address never starts with '@')
        org, slash, team = owner[1:].partition("/")
        # str.strip(chars) leaves "" exactly when every character is one of chars
        if not org or org.strip(_NAME_CHARS):
            return None
        if not slash:
            return "user"
        return "team" if team and not team.strip(_NAME_CHARS) else None
    if _EMAIL.fullmatch(owner):
        return "email"
    return None


_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


_OWNER_KINDS: dict[str, str | None] = {}  # owners repeat across lines and files: classify once


@dataclass(frozen=True)
class Rule:
    """One valid CODEOWNERS line: the pattern as written, its owners in order, its line."""

    pattern: str
    owners: list[str]
    line: int

    def matches(self, path: str) -> bool:
        """Whether this rule's pattern matches the repository-relative file ``path``."""
        return compile_pattern(self.pattern).matches(path)

    @property
    def location(self) -> str:
        """Evidence form ``CODEOWNERS:<line>`` (callers may substitute the real file path)."""
        return f"CODEOWNERS:{self.line}"


@dataclass
class ParsedFile:
    rules: list[Rule]
    patterns: list[CompiledPattern]
    problems: list[Problem]


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def parse_codeowners(text: str | bytes) -> ParsedFile:
    """Parse a whole CODEOWNERS file; never raises on bad lines (they become problems)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    rules: list[Rule] = []
    patterns: list[CompiledPattern] = []
    problems: list[Problem] = []
    owner_kinds = _OWNER_KINDS
    object_new = object.__new__
    for lineno, line in enumerate(_lines(text), start=1):
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped[0] in "[^" and _GITLAB_SECTION.fullmatch(stripped):
            problems.append(
                Problem(
                    "GitLab section headers are not supported by GitHub; line skipped",
                    line=lineno,
                    field="pattern",
                )
            )
            continue
        if "\\" not in stripped and "#" not in stripped and stripped.isprintable():
            # no escapes, no comment, no blank but ' ' (printable): str.split() splits on
            # exactly the blanks _WORD would (most lines)
            words = stripped.split()
        else:
            words = []
            for m in _WORD.finditer(stripped):
                word = m.group()
                if word.startswith("#"):
                    break  # inline comment
                words.append(word)
        if not words:
            continue
        raw, owners = words[0], words[1:]
        try:
            compiled: CompiledPattern | None = compile_uncached(raw)
            pattern_problem = None
        except PatternError as exc:
            compiled = None
            pattern_problem = exc.message
        bad_owners = None
        for owner in owners:
            kind = owner_kinds.get(owner, "?")
            if kind == "?":
                kind = classify_owner(owner)
            if kind is None:
                bad_owners = [*(bad_owners or ()), owner]
        if compiled is None or bad_owners:
            problems.extend(_line_problems(lineno, pattern_problem, bad_owners or ()))
            continue
        # Rule(raw, owners, lineno) without the frozen dataclass's three object.__setattr__
        # calls (a third of parsing a large CODEOWNERS); same object, same fields
        rule: Rule = object_new(Rule)
        fields = rule.__dict__
        fields["pattern"] = raw
        fields["owners"] = owners
        fields["line"] = lineno
        rules.append(rule)
        patterns.append(compiled)
    return ParsedFile(rules=rules, patterns=patterns, problems=problems)


def _line_problems(
    lineno: int, pattern_problem: str | None, bad_owners: Sequence[str]
) -> list[Problem]:
    problems = []
    if pattern_problem is not None:
        problems.append(Problem(f"{pattern_problem}; line skipped", line=lineno, field="pattern"))
    for owner in bad_owners:
        problems.append(
            Problem(
                f"invalid owner {_shorten(owner)!r}: expected @username, "
                "@org/team-name or an e-mail address; line skipped",
                line=lineno,
                field="owners",
            )
        )
    return problems


def _shorten(s: str, limit: int = 80) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."
