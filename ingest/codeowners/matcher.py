"""CODEOWNERS path patterns: gitignore-style globs with GitHub's CODEOWNERS rules.

A pattern is compiled once into a :class:`CompiledPattern`: a *body* glob that must match a
whole path string (a file path, or one of its ancestor directories) plus a :class:`Mode`
saying which of those it may match:

* ``FILE_OR_DIR`` (``foo``, ``*.js``, ``/build/logs``): the file itself, or any ancestor
  directory (so everything beneath a matched directory is matched).
* ``DIR_ONLY`` (``apps/``, ``/docs/``, ``foo/**``): ancestor directories only, i.e. every file
  beneath the directory at any depth.
* ``EXACT`` (a last segment that is a lone ``*``, e.g. ``docs/*``, ``/*``): the file itself
  only. GitHub documents that ``docs/*`` matches ``docs/getting-started.md`` but not
  ``docs/build-app/troubleshooting.md``, so a directory matched by ``*`` does not pass its
  match on to nested files.

Anchoring follows gitignore: a ``/`` at the start or in the middle anchors the pattern to the
repository root; otherwise it matches at any depth (as if prefixed with ``**/``). ``*`` and
``?`` never cross ``/``; ``**`` as a whole segment matches zero or more directories (leading
``**/``, middle ``/**/``), a trailing ``/**`` matches everything inside; other runs of ``*``
are a single ``*``. ``\\`` escapes the next character. The gitignore features GitHub does not
support (``!`` negation, ``[ ]`` ranges, ``\\#`` at the start) raise :class:`PatternError`.

:class:`RuleIndex` answers "which is the last rule matching this path" without testing every
rule: each pattern is filed by its :class:`Kind` (literal path, floating name such as
``*.js``, ``dir/*.ext``, ``dir/**/name``, other glob); each kind answers with a dict lookup or
two and the highest matching rule index wins. Plain patterns (most of a CODEOWNERS) are
classified straight from the string; only the other globs are compiled to regexes, on first
use, and those use atomic groups so that ``*a*a*a*b``-style patterns cannot backtrack
exponentially.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "CompiledPattern",
    "Kind",
    "Mode",
    "PatternError",
    "RuleIndex",
    "compile_pattern",
    "normalize_path",
]


class PatternError(ValueError):
    """A pattern GitHub rejects or does not support; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Mode(enum.Enum):
    FILE_OR_DIR = "file-or-dir"
    DIR_ONLY = "dir-only"
    EXACT = "exact"


# Segment tokens: a literal string, or one of the two wildcards.
_STAR = "*"
_QMARK = "?"


@dataclass(frozen=True)
class _Lit:
    text: str


_Token = _Lit | str  # str is _STAR or _QMARK
_Segment = tuple[_Token, ...]
_DSTAR: _Segment = (_STAR, _STAR)  # sentinel for a whole-segment ``**``


def _is_dstar(seg: _Segment) -> bool:
    return seg is _DSTAR


_WILDCARD = re.compile(r"([*?])")


def _lex(raw: str) -> list[list[_Token]]:
    """Split a raw pattern into segments of tokens, resolving ``\\`` escapes."""
    if "\\" not in raw and "[" not in raw:
        # no escapes, no ranges (most patterns): split on the separators, then on wildcards
        fast: list[list[_Token]] = []
        for part in raw.split("/"):
            if "*" not in part and "?" not in part:
                fast.append([_Lit(part)] if part else [])
            else:
                fast.append([p if p in ("*", "?") else _Lit(p) for p in _WILDCARD.split(part) if p])
        return fast
    segments: list[list[_Token]] = [[]]
    buf: list[str] = []
    current = segments[0]

    def flush() -> None:
        if buf:
            current.append(_Lit("".join(buf)))
            buf.clear()

    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternError("pattern ends with an unfinished escape '\\'")
            nxt = raw[i + 1]
            i += 2
            if nxt == "/":
                flush()
                current = []
                segments.append(current)
            else:
                buf.append(nxt)
            continue
        if ch == "/":
            flush()
            current = []
            segments.append(current)
        elif ch in "*?":
            flush()
            current.append(ch)
        elif ch == "[":
            raise PatternError(
                "character ranges with '[ ]' are not supported in CODEOWNERS "
                "(escape '[' as '\\[' to match it literally)"
            )
        else:
            buf.append(ch)
        i += 1
    flush()
    return segments


def _normalize_segment(tokens: list[_Token]) -> _Segment:
    """Whole-segment runs of ``*`` (2+) become ``**``; other runs of ``*`` become one ``*``."""
    if len(tokens) >= 2 and all(t == _STAR for t in tokens):
        return _DSTAR
    out: list[_Token] = []
    for tok in tokens:
        if tok == _STAR and out and out[-1] == _STAR:
            continue
        if isinstance(tok, _Lit) and out and isinstance(out[-1], _Lit):
            out[-1] = _Lit(out[-1].text + tok.text)
            continue
        out.append(tok)
    return tuple(out)


def _piece_regex(tokens: Sequence[_Token]) -> str:
    out: list[str] = []
    for t in tokens:
        if isinstance(t, _Lit):
            out.append(re.escape(t.text))
        elif t == _QMARK:
            out.append("[^/]")
    return "".join(out)


def _segment_regex(seg: _Segment) -> str:
    """Regex for one non-``**`` segment, safe from exponential backtracking.

    ``p0*p1*...*pk``: the middle pieces are found leftmost and committed (atomic groups), which
    is exact for globs and keeps matching linear; only the last ``*`` may backtrack.
    """
    if seg == (_STAR,):
        return "[^/]+"  # a whole segment: never empty
    pieces: list[list[_Token]] = [[]]
    for tok in seg:
        if tok == _STAR:
            pieces.append([])
        else:
            pieces[-1].append(tok)
    if len(pieces) == 1:
        return _piece_regex(pieces[0])
    first, *middle, last = pieces
    out = [_piece_regex(first)]
    out.extend(f"(?>[^/]*?{_piece_regex(p)})" for p in middle if p)
    out.append("[^/]*")
    out.append(_piece_regex(last))
    return "".join(out)


def _segment_literal(seg: _Segment) -> str | None:
    if _is_dstar(seg):
        return None
    if all(isinstance(t, _Lit) for t in seg):
        return "".join(t.text for t in seg if isinstance(t, _Lit))
    return None


# --------------------------------------------------------------------------------------------
# Shapes: what the index needs to know about a pattern, without a regex.


class Kind(enum.Enum):
    """How :class:`RuleIndex` files a pattern (its body's shape)."""

    LITERAL = "literal"
    """Anchored, no wildcard (``/apps/``, ``docs/README.md``): ``key`` is the path."""
    NAME = "name"
    """Floating, one segment (``*.js``, ``logs``, ``**/logs``): ``tail`` tests a last segment."""
    PARENT = "parent"
    """Anchored literal directory, then one wildcard segment (``/docs/*.md``, ``/*``): ``key``
    is the directory ("" for the root), ``tail`` tests the last segment."""
    UNDER = "under"
    """Anchored literal directory, ``**``, a literal name (``/apps/**/Dockerfile``): ``key`` is
    the directory, ``tail`` the name."""
    GLOB = "glob"
    """Anything else: matched by a regex."""


class SegmentTest(NamedTuple):
    """Tests one path segment: equal to ``literal``; or ``prefix*suffix`` (one ``*``, and a
    lone ``*`` is prefix = suffix = ""); or ``regex`` for anything else."""

    literal: str | None
    prefix: str
    suffix: str
    regex: re.Pattern[str] | None

    def matches(self, name: str) -> bool:
        if self.literal is not None:
            return name == self.literal
        if self.regex is not None:
            return self.regex.fullmatch(name) is not None
        return (
            len(name) >= len(self.prefix) + len(self.suffix)
            and name.startswith(self.prefix)
            and name.endswith(self.suffix)
        )


_new_tuple = tuple.__new__


def _literal_test(name: str) -> SegmentTest:
    return _new_tuple(SegmentTest, (name, "", "", None))  # NamedTuple's own __new__ is slow


def _test_of_text(part: str) -> SegmentTest:
    """The test of an unescaped segment with at most one ``*`` and no ``?``."""
    if "*" not in part:
        return _literal_test(part)
    prefix, suffix = part.split("*")
    return _new_tuple(SegmentTest, (None, prefix, suffix, None))


def _test_of_segment(seg: _Segment) -> SegmentTest:
    lit = _segment_literal(seg)
    if lit is not None:
        return SegmentTest(lit, "", "", None)
    stars = [i for i, t in enumerate(seg) if t == _STAR]
    others = [t for t in seg if t != _STAR]
    if len(stars) == 1 and all(isinstance(t, _Lit) for t in others) and len(others) <= 2:
        at = stars[0]
        before = seg[:at]
        after = seg[at + 1 :]
        prefix = before[0].text if before and isinstance(before[0], _Lit) else ""
        suffix = after[0].text if after and isinstance(after[0], _Lit) else ""
        return SegmentTest(None, prefix, suffix, None)
    return SegmentTest(None, "", "", re.compile(_segment_regex(seg), re.DOTALL))


# What the index needs of a pattern: mode, kind, key, tail (see :class:`Kind`).
Shape = tuple[Mode, Kind, str, SegmentTest | None]

_FILE_OR_DIR = Mode.FILE_OR_DIR
_DIR_ONLY = Mode.DIR_ONLY
_EXACT = Mode.EXACT
_LITERAL = Kind.LITERAL
_NAME = Kind.NAME


def _fast_shape(raw: str) -> Shape | None:
    """The shape of a plain pattern (no escapes, ranges, ``?``, ``//``; at most one ``*`` per
    segment unless the segment is ``**``) straight from the string; None for the others (the
    lexer decides). Agrees with :func:`_shape_of_segments` (tested on random patterns)."""
    if "\\" in raw or "[" in raw or "?" in raw or "//" in raw:
        return None
    body = raw.strip("/")
    if not body:
        return None
    if "*" not in body:  # a literal (most patterns)
        mode = _DIR_ONLY if raw[-1] == "/" else _FILE_OR_DIR
        if raw[0] == "/" or "/" in body:
            return (mode, _LITERAL, body, None)
        return (mode, _NAME, "", _literal_test(body))
    parts = body.split("/")
    stars = []
    for i, part in enumerate(parts):
        if "*" in part and part != "**":
            if part.count("*") != 1:
                return None
            stars.append(i)
    n = len(parts)
    anchored = raw[0] == "/" or n > 1
    last = parts[-1]
    if raw[-1] == "/":
        mode = Mode.DIR_ONLY
    elif last == "*" and anchored:
        mode = Mode.EXACT
    else:
        mode = Mode.FILE_OR_DIR
    if "**" in parts:
        dstars = [i for i, p in enumerate(parts) if p == "**"]
        if any(b == a + 1 for a, b in itertools.pairwise(dstars)):
            return None  # ``**/**``: the lexer collapses it
        if n == 2 and dstars == [0]:
            return (mode, _NAME, "", _test_of_text(last))  # ``**/name``
        if mode is Mode.FILE_OR_DIR and dstars == [n - 1] and n > 1:
            parts.pop()  # ``foo/**`` is ``foo/``
            mode = Mode.DIR_ONLY
            n -= 1
            last = parts[-1]
        elif dstars == [n - 2] and n >= 3 and not stars:
            return (mode, Kind.UNDER, "/".join(parts[:-2]), _literal_test(last))
        else:
            return None
    if not anchored:
        return (mode, Kind.NAME, "", _test_of_text(last))
    if not stars:
        return (mode, Kind.LITERAL, "/".join(parts), None)
    if stars == [n - 1]:
        return (mode, Kind.PARENT, "/".join(parts[:-1]), _test_of_text(last))
    return None


def _shape_of_segments(mode: Mode, segs: Sequence[_Segment]) -> Shape:
    lits = [_segment_literal(s) for s in segs]
    n = len(segs)
    if n == 2 and _is_dstar(segs[0]) and not _is_dstar(segs[1]):
        return (mode, Kind.NAME, "", _test_of_segment(segs[1]))
    if all(lit is not None for lit in lits):
        return (mode, Kind.LITERAL, "/".join(lit for lit in lits if lit is not None), None)
    head = lits[:-1]
    if all(lit is not None for lit in head) and not _is_dstar(segs[-1]):
        key = "/".join(lit for lit in head if lit is not None)
        return (mode, Kind.PARENT, key, _test_of_segment(segs[-1]))
    head = lits[:-2]
    if (
        n >= 3
        and _is_dstar(segs[-2])
        and lits[-1] is not None
        and all(lit is not None for lit in head)
    ):
        key = "/".join(lit for lit in head if lit is not None)
        return (mode, Kind.UNDER, key, SegmentTest(lits[-1], "", "", None))
    return (mode, Kind.GLOB, "", None)


class CompiledPattern(NamedTuple):
    """One compiled CODEOWNERS pattern (see the module docstring for the semantics).

    Only the shape is computed up front (for most patterns straight from the string); the
    segments and regexes are built on first use — most patterns of a CODEOWNERS never need
    them."""

    pattern: str
    """The pattern as written in the file."""
    mode: Mode
    kind: Kind
    key: str
    tail: SegmentTest | None

    @property
    def segments(self) -> tuple[_Segment, ...]:
        """Body segments, root-anchored; a floating pattern starts with ``**``."""
        return _segments_of(self.pattern)

    @property
    def body(self) -> str:
        """Regex source that must match a whole target string (file or directory path)."""
        return _body_of(self.pattern)

    @property
    def anchored(self) -> bool:
        """True when the pattern only matches relative to the repository root."""
        segs = self.segments
        return not (len(segs) == 2 and _is_dstar(segs[0]))

    @property
    def first_literal(self) -> str | None:
        """The literal first segment of a multi-segment anchored body, else None."""
        if len(self.segments) >= 2:
            return _segment_literal(self.segments[0])
        return None

    @property
    def regex(self) -> re.Pattern[str]:
        """Matches a file path this pattern matches (itself or through an ancestor)."""
        return _full_regex(self.body, self.mode)

    def matches(self, path: str) -> bool:
        """Whether this pattern matches the file ``path`` (relative to the repository root)."""
        path = normalize_path(path)
        if not path:
            return False
        if path.endswith("/"):
            # A directory: matched when a file directly inside would be matched through it.
            d = path.rstrip("/")
            if self.mode is Mode.EXACT:
                return False
            return bool(re.fullmatch(self.body + r"(?:/.*)?", d, re.DOTALL))
        return self.regex.fullmatch(path) is not None


@lru_cache(maxsize=8192)
def _segments_of(raw: str) -> tuple[_Segment, ...]:
    return _lex_pattern(raw)[1]


@lru_cache(maxsize=8192)
def _body_of(raw: str) -> str:
    return _body_regex(_segments_of(raw))


@lru_cache(maxsize=4096)
def _full_regex(body: str, mode: Mode) -> re.Pattern[str]:
    return re.compile(_full_source(body, mode), re.DOTALL)


def _full_source(body: str, mode: Mode) -> str:
    suffix = {Mode.FILE_OR_DIR: r"(?:/.*)?", Mode.DIR_ONLY: r"/.+", Mode.EXACT: ""}[mode]
    return f"(?:{body}){suffix}"


def _body_regex(segs: Sequence[_Segment], *, dir_part: bool = False) -> str:
    """Regex source for ``segs``; with ``dir_part`` a trailing ``**`` may match nothing (the
    segments are the directory part of a longer pattern, so ``a/**`` also covers ``a``)."""
    parts: list[str] = []
    n = len(segs)
    for i, seg in enumerate(segs):
        if _is_dstar(seg):
            if n == 1:
                parts.append(".*" if dir_part else ".+")
            elif i == n - 1 and dir_part:
                parts.append("(?:/.+)?")
            elif i == 0:
                parts.append("(?:.+/)?")
            elif i == n - 1:
                parts.append("/.+")
            else:
                parts.append("(?:/.+)?")
        else:
            if i > 0 and not (i == 1 and _is_dstar(segs[0])):
                parts.append("/")
            parts.append(_segment_regex(seg))
    return "".join(parts)


def _check_raw(raw: str) -> None:
    if not raw:
        raise PatternError("empty pattern")
    if raw.startswith("!"):
        raise PatternError("negation with '!' is not supported in CODEOWNERS")
    if raw.startswith("\\#"):
        raise PatternError("escaping a leading '#' with '\\' is not supported in CODEOWNERS")


def _lex_pattern(raw: str) -> tuple[Mode, tuple[_Segment, ...]]:
    """Mode and body segments of a raw pattern, by the lexer; raises :class:`PatternError`."""
    _check_raw(raw)
    lexed = _lex(raw)
    leading = False
    while lexed and not lexed[0]:
        lexed.pop(0)
        leading = True
    trailing = False
    while lexed and not lexed[-1]:
        lexed.pop()
        trailing = True
    if not lexed:
        raise PatternError(f"the pattern '{raw}' never matches anything (did you mean '*'?)")
    segs = [_normalize_segment(s) for s in lexed]
    anchored = leading or len(segs) > 1

    if trailing:
        mode = Mode.DIR_ONLY
    elif segs[-1] == (_STAR,) and anchored:
        mode = Mode.EXACT
    else:
        mode = Mode.FILE_OR_DIR

    if not anchored:
        segs.insert(0, _DSTAR)
    # ``**/**`` is ``**``
    collapsed: list[_Segment] = []
    for seg in segs:
        if _is_dstar(seg) and collapsed and _is_dstar(collapsed[-1]):
            continue
        collapsed.append(seg)
    segs = collapsed
    # ``foo/**`` matches everything inside foo: that is ``foo/``.
    if mode is Mode.FILE_OR_DIR and len(segs) > 1 and _is_dstar(segs[-1]):
        segs.pop()
        mode = Mode.DIR_ONLY
    return mode, tuple(segs)


@lru_cache(maxsize=8192)
def compile_pattern(raw: str) -> CompiledPattern:
    """Compile a raw CODEOWNERS pattern (escapes intact); raises :class:`PatternError`."""
    return compile_uncached(raw)


def compile_uncached(raw: str) -> CompiledPattern:
    """:func:`compile_pattern` without its cache (the parser: a file's patterns are distinct)."""
    if not raw or raw[0] in "!\\":
        _check_raw(raw)
    shape = _fast_shape(raw)
    if shape is None:
        mode, segs = _lex_pattern(raw)
        shape = _shape_of_segments(mode, segs)
    # NamedTuple's own __new__ is slow
    return _new_tuple(CompiledPattern, (raw, *shape))


def normalize_path(path: str) -> str:
    """Repository-relative form of a query path: no leading ``/`` or ``./``, no ``//``."""
    while path.startswith("./"):
        path = path[2:]
    path = path.lstrip("/")
    if "//" in path:
        path = re.sub("/{2,}", "/", path)
    if "/./" in path:
        path = path.replace("/./", "/")
    return path


# --------------------------------------------------------------------------------------------
# Fast "last matching rule" index

_CACHE_LIMIT = 262_144


class _Combined:
    """Alternation of full-path regexes, last rule first: the first alternative that matches
    is the last rule that does. Compiled on first use."""

    __slots__ = ("_regex", "entries", "indices", "max_index")

    def __init__(self, entries: list[tuple[int, str]]) -> None:
        self.entries = sorted(entries, key=lambda e: -e[0])
        self.indices: list[int] = [-1] + [idx for idx, _ in self.entries]
        self.max_index: int = self.entries[0][0]
        self._regex: re.Pattern[str] | None = None

    def best(self, s: str) -> int:
        rx = self._regex
        if rx is None:
            rx = self._regex = re.compile(
                "|".join(f"({src})" for _, src in self.entries), re.DOTALL
            )
        m = rx.fullmatch(s)
        if m is None or m.lastindex is None:
            return -1
        return self.indices[m.lastindex]


def _is_extension(suffix: str) -> bool:
    """``.js``: a dot, then no other dot (``*.js`` matches a name when its last dot starts
    ``.js`` at the end)."""
    return suffix[:1] == "." and suffix.count(".") == 1


# (rule index, test of the last segment), last rule first
_ParentRules = list[tuple[int, SegmentTest]]
# (rule index, directory, directory + "/"), last rule first
_UnderRules = list[tuple[int, str, str]]
# per segment name: the best floating-name rule it matches, and the UNDER rules of that name
_NameInfo = tuple[int, _UnderRules | None]


class _Names:
    """Segment names a rule matches whatever the directory: floating one-segment patterns
    (``*.js``, ``README``, ``logs``) and the UNDER rules (``/dir/**/name``) of a name.
    Literal names and ``*.ext`` are dict lookups, a lone ``*`` a constant; only other
    wildcards are tested one by one. Computed once per name."""

    __slots__ = ("any", "cache", "extension", "literal", "tests", "under")

    def __init__(self) -> None:
        self.literal: dict[str, int] = {}
        self.extension: dict[str, int] = {}  # ".js" for ``*.js``
        self.any = -1  # the last lone ``*``
        self.tests: list[tuple[int, SegmentTest]] = []  # the other wildcards, last rule first
        self.under: dict[str, _UnderRules] = {}
        self.cache: dict[str, _NameInfo] = {}

    def add(self, idx: int, test: SegmentTest) -> None:
        # later rules overwrite earlier ones
        if test.literal is not None:
            self.literal[test.literal] = idx
        elif test.regex is None and not test.prefix and _is_extension(test.suffix):
            self.extension[test.suffix] = idx
        elif test.regex is None and not test.prefix and not test.suffix:
            self.any = idx
        else:
            self.tests.insert(0, (idx, test))

    def compute(self, name: str) -> _NameInfo:
        best = self.literal.get(name, -1)
        if self.any > best:
            best = self.any
        dot = name.rfind(".")
        if dot >= 0:
            v = self.extension.get(name[dot:], -1)
            if v > best:
                best = v
        for idx, test in self.tests:
            if idx <= best:
                break
            if test.matches(name):
                best = idx
                break
        info = (best, self.under.get(name))
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[name] = info
        return info


def _under_best(under: _UnderRules, parent: str, best: int) -> int:
    for idx, key, key_slash in under:
        if idx <= best:
            break
        if parent == key or parent.startswith(key_slash):
            return idx
    return best


def _parent_best(rules: _ParentRules, name: str, best: int) -> int:
    for idx, test in rules:
        if idx <= best:
            break
        if test.matches(name):
            return idx
    return best


class RuleIndex:
    """Finds the index of the last pattern matching a path, GitHub's last-match-wins rule.

    A file matches a rule when the rule's body matches the file itself (modes FILE_OR_DIR and
    EXACT) or one of its ancestor directories (FILE_OR_DIR and DIR_ONLY). Rules are filed by
    :class:`Kind`, each kind answering with the highest matching rule index, so "last match
    wins" is a ``max``: literal paths in a dict (files) and a trie of directories, floating
    names per name (cached), ``dir/*.ext`` under their directory, ``dir/**/name`` under their
    name. A directory's best match (over it and its ancestors) is one walk of its segments
    down the trie, cached per directory. Only the other globs use regexes: one alternation
    per first path segment, tried only when it could beat the best match so far.
    """

    def __init__(self, patterns: Sequence[CompiledPattern]) -> None:
        self.patterns = list(patterns)
        self._file_literal: dict[str, int] = {}
        self._file_names = _Names()
        self._file_parent: dict[str, _ParentRules] = {}
        self._dir_literal: dict[str, int] = {}
        self._dir_parent: dict[str, _ParentRules] = {}
        self._dir_names = _Names()
        globs: list[tuple[int, CompiledPattern]] = []
        file_literal = self._file_literal
        dir_literal = self._dir_literal
        for i, p in enumerate(self.patterns):
            _, mode, kind, key, tail = p
            if kind is _LITERAL:  # most rules
                if mode is not _DIR_ONLY:
                    file_literal[key] = i
                if mode is not _EXACT:
                    dir_literal[key] = i
                continue
            if kind is Kind.GLOB:
                globs.append((i, p))
                continue
            assert tail is not None
            if mode is not _DIR_ONLY:  # the file itself
                if kind is _NAME:
                    self._file_names.add(i, tail)
                elif kind is Kind.PARENT:
                    self._file_parent.setdefault(key, []).insert(0, (i, tail))
                else:
                    assert tail.literal is not None
                    under = self._file_names.under.setdefault(tail.literal, [])
                    under.insert(0, (i, key, key + "/"))
            if mode is not _EXACT:  # an ancestor directory
                if kind is _NAME:
                    self._dir_names.add(i, tail)
                elif kind is Kind.PARENT:
                    self._dir_parent.setdefault(key, []).insert(0, (i, tail))
                else:
                    assert tail.literal is not None
                    under = self._dir_names.under.setdefault(tail.literal, [])
                    under.insert(0, (i, key, key + "/"))
        # other globs: the directory part (the body matches an ancestor of the file) is one
        # alternation per first segment, run once per directory and cached with its answer;
        # the file part (the body matches the file's path) is tried only for the globs whose
        # last segment can match the file's name (literal name, ``*.ext``, or other)
        self._dir_globs: dict[str, _Combined] = {}
        self._dir_globs_any: _Combined | None = None
        self._has_dir_globs = False
        self._file_globs = False
        self._file_glob_names: dict[str, list[tuple[int, str]]] = {}
        self._file_glob_exts: dict[str, list[tuple[int, str]]] = {}
        self._file_glob_others: list[tuple[int, str]] = []
        if globs:
            self._glob_index(globs)
        self._dir_best: dict[str, int] = {}
        # every literal directory a rule names, with its ancestors: a walk down a path
        # stops looking for literal directories when it leaves these
        self._dir_prefixes: set[str] = set()
        for key in itertools.chain(self._dir_literal, self._dir_parent):
            i = key.find("/")
            while i >= 0:
                self._dir_prefixes.add(key[:i])
                i = key.find("/", i + 1)
            self._dir_prefixes.add(key)

    def _glob_index(self, globs: list[tuple[int, CompiledPattern]]) -> None:
        by_first: dict[str, list[tuple[int, str]]] = {}
        anywhere: list[tuple[int, str]] = []
        for i, p in reversed(globs):  # last rule first
            if p.mode is not Mode.EXACT:
                entry = (i, _full_source(p.body, Mode.FILE_OR_DIR))
                first = p.first_literal
                (anywhere if first is None else by_first.setdefault(first, [])).append(entry)
            if p.mode is not Mode.DIR_ONLY:
                self._file_globs = True
                last = p.segments[-1]
                test = None if _is_dstar(last) else _test_of_segment(last)
                file_entry = (i, p.body)
                if test is not None and test.literal is not None:
                    self._file_glob_names.setdefault(test.literal, []).append(file_entry)
                elif (
                    test is not None
                    and test.regex is None
                    and not test.prefix
                    and _is_extension(test.suffix)
                ):
                    self._file_glob_exts.setdefault(test.suffix, []).append(file_entry)
                else:
                    self._file_glob_others.append(file_entry)
        self._has_dir_globs = bool(anywhere or by_first)
        self._dir_globs_any = _Combined(anywhere) if anywhere else None
        self._dir_globs = {first: _Combined(e + anywhere) for first, e in by_first.items()}

    def _with_dir_globs(self, d: str, best: int) -> int:
        """``best`` or the last glob whose body matches ``d`` or an ancestor, if later."""
        j = d.find("/")
        combined = self._dir_globs.get(d[:j] if j >= 0 else d, self._dir_globs_any)
        if combined is not None and combined.max_index > best:
            v = combined.best(d)
            if v > best:
                return v
        return best

    def _file_globs_best(self, path: str, name: str, best: int) -> int:
        """``best`` or the last glob whose body matches the file's path itself, if later."""
        dot = name.rfind(".")
        for entries in (
            self._file_glob_names.get(name),
            self._file_glob_exts.get(name[dot:]) if dot >= 0 else None,
            self._file_glob_others,
        ):
            if entries:
                for idx, body in entries:
                    if idx <= best:
                        break
                    if _full_regex(body, Mode.EXACT).fullmatch(path) is not None:
                        best = idx
                        break
        return best

    # -- directories ---------------------------------------------------------------------

    def _dir_best_of(self, d: str) -> int:
        """Last rule matching directory ``d`` or an ancestor, cached per
        directory: from the parent's answer when that is cached (in a deep tree directories
        share ancestors), else by one walk of the segments from the root (in a flat tree most
        ancestors are new: caching each would cost more than it saves)."""
        dir_best = self._dir_best
        if len(dir_best) >= _CACHE_LIMIT:
            dir_best.clear()
        j = d.rfind("/")
        if j > 0:
            got = dir_best.get(d[:j])
            if got is not None:
                best = self._dir_own(d[:j], d[j + 1 :], d)
                if got > best:
                    best = got
                if self._has_dir_globs:
                    best = self._with_dir_globs(d, best)
                dir_best[d] = best
                return best
        segs = d.split("/")
        best = -1
        names = self._dir_names
        cache = names.cache
        literal = self._dir_literal
        parent_rules = self._dir_parent
        prefixes = self._dir_prefixes
        prefix = ""  # the parent of seg while it is a prefix of a literal directory
        live = True
        for k, seg in enumerate(segs):
            info = cache.get(seg)
            if info is None:
                info = names.compute(seg)
            v, under = info
            if v > best:
                best = v
            if under is not None and under[0][0] > best:
                best = _under_best(under, prefix if live else "/".join(segs[:k]), best)
            if live:
                rules = parent_rules.get(prefix)
                if rules is not None and rules[0][0] > best:
                    best = _parent_best(rules, seg, best)
                prefix = f"{prefix}/{seg}" if k else seg
                if prefix in prefixes:
                    v = literal.get(prefix, -1)
                    if v > best:
                        best = v
                else:
                    live = False
        if self._has_dir_globs:
            best = self._with_dir_globs(d, best)
        dir_best[d] = best
        return best

    def _dir_own(self, parent: str, name: str, d: str) -> int:
        """Last rule (other than a glob) matching directory ``d`` = ``parent/name`` itself."""
        best = self._dir_literal.get(d, -1)
        names = self._dir_names
        info = names.cache.get(name)
        if info is None:
            info = names.compute(name)
        v, under = info
        if v > best:
            best = v
        if under is not None and under[0][0] > best:
            best = _under_best(under, parent, best)
        rules = self._dir_parent.get(parent)
        if rules is not None and rules[0][0] > best:
            best = _parent_best(rules, name, best)
        return best

    def _directory(self, d: str) -> int:
        """What every file inside directory ``d`` inherits from it and its ancestors."""
        best = self._dir_best.get(d)
        return best if best is not None else self._dir_best_of(d)

    # -- files ---------------------------------------------------------------------------

    def lookup(self, path: str, *, normalized: bool = False) -> int:
        """Index of the last pattern matching file ``path``, or -1. A path ending in ``/`` is
        a directory: the answer is what every file inside it inherits from the directory."""
        if not normalized and (
            not path or path[0] == "/" or path[-1] == "/" or "//" in path or "./" in path
        ):
            return self._lookup_unusual(path)
        i = path.rfind("/")
        if i < 0:
            d = ""
            name = path
            best = -1
        else:
            d = path[:i]
            name = path[i + 1 :]
            best = self._dir_best.get(d, -2)
            if best == -2:
                best = self._dir_best_of(d)
        if self._file_literal:
            v = self._file_literal.get(path, -1)
            if v > best:
                best = v
        info = self._file_names.cache.get(name) or self._file_names.compute(name)
        if info[0] > best:
            best = info[0]
        under = info[1]
        if under is not None and under[0][0] > best:
            best = _under_best(under, d, best)
        rules = self._file_parent.get(d)
        if rules is not None and rules[0][0] > best:
            best = _parent_best(rules, name, best)
        if self._file_globs:
            best = self._file_globs_best(path, name, best)
        return best

    def _lookup_unusual(self, path: str) -> int:
        """:meth:`lookup` of a path to normalise, a directory or an empty path."""
        path = normalize_path(path)
        if path[-1:] == "/":
            path = path.rstrip("/")
            return self._directory(path) if path else -1
        if not path:
            return -1
        return self.lookup(path, normalized=True)
