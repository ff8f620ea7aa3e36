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
rule: literal patterns are dict lookups, floating single-segment patterns (``*.js``,
``logs``) are cached per name, and wildcard patterns sit in a trie under their literal
leading segments. Each directory caches the best rule matching it or an ancestor plus the
few globs that could still beat it, so a file usually costs a handful of dict lookups.
Glob regexes use atomic groups so that ``*a*a*a*b``-style patterns cannot backtrack
exponentially.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

__all__ = [
    "CompiledPattern",
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
                fast.append(
                    [p if p in ("*", "?") else _Lit(p) for p in _WILDCARD.split(part) if p]
                )
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


@dataclass(frozen=True)
class CompiledPattern:
    """One compiled CODEOWNERS pattern (see the module docstring for the semantics)."""

    pattern: str
    """The pattern as written in the file."""
    mode: Mode
    segments: tuple[_Segment, ...]
    """Body segments, root-anchored; a floating pattern starts with ``**``."""

    @cached_property
    def body(self) -> str:
        """Regex source that must match a whole target string (file or directory path); built
        on first use (literal patterns, most of a large CODEOWNERS, never need it)."""
        return _body_regex(self.segments)

    @property
    def anchored(self) -> bool:
        """True when the pattern only matches relative to the repository root."""
        return not (len(self.segments) == 2 and _is_dstar(self.segments[0]))

    @cached_property
    def literal(self) -> str | None:
        """The body as a plain path when it has no wildcards, else None."""
        parts = [_segment_literal(s) for s in self.segments]
        if any(p is None for p in parts):
            return None
        return "/".join(p for p in parts if p is not None)

    @property
    def basename(self) -> _Segment | None:
        """The single segment of a floating (match-at-any-depth) pattern, else None."""
        if len(self.segments) == 2 and _is_dstar(self.segments[0]):
            return self.segments[1]
        return None

    @property
    def first_literal(self) -> str | None:
        """The literal first segment of a multi-segment anchored body, else None."""
        if len(self.segments) >= 2:
            return _segment_literal(self.segments[0])
        return None

    @property
    def regex(self) -> re.Pattern[str]:
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


@lru_cache(maxsize=4096)
def _full_regex(body: str, mode: Mode) -> re.Pattern[str]:
    suffix = {Mode.FILE_OR_DIR: r"(?:/.*)?", Mode.DIR_ONLY: r"/.+", Mode.EXACT: ""}[mode]
    return re.compile(f"(?:{body}){suffix}", re.DOTALL)


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


@lru_cache(maxsize=8192)
def compile_pattern(raw: str) -> CompiledPattern:
    """Compile a raw CODEOWNERS pattern (escapes intact); raises :class:`PatternError`."""
    if not raw:
        raise PatternError("empty pattern")
    if raw.startswith("!"):
        raise PatternError("negation with '!' is not supported in CODEOWNERS")
    if raw.startswith("\\#"):
        raise PatternError("escaping a leading '#' with '\\' is not supported in CODEOWNERS")
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
    return CompiledPattern(pattern=raw, mode=mode, segments=tuple(segs))


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


class _Combined:
    """Alternation of bodies, last rule first: the first alternative that matches wins."""

    __slots__ = ("indices", "max_index", "regex")

    def __init__(self, entries: list[tuple[int, str]]) -> None:
        entries = sorted(entries, key=lambda e: -e[0])
        self.indices: list[int] = [-1] + [idx for idx, _ in entries]
        self.max_index: int = entries[0][0]
        self.regex = re.compile("|".join(f"({body})" for _, body in entries), re.DOTALL)

    def best(self, s: str) -> int:
        m = self.regex.fullmatch(s)
        if m is None or m.lastindex is None:
            return -1
        return self.indices[m.lastindex]


_CACHE_LIMIT = 262_144


class _NameIndex:
    """Floating single-segment patterns (``*.js``, ``README``, ``logs``): they match a target
    exactly when they match its last segment, so answers are cached per name."""

    def __init__(self) -> None:
        self.literal: dict[str, int] = {}
        self.globs: list[tuple[int, str]] = []
        self._combined: _Combined | None = None
        self.cache: dict[str, int] = {}

    def add(self, idx: int, seg: _Segment) -> None:
        lit = _segment_literal(seg)
        if lit is not None:
            self.literal[lit] = idx  # later rules overwrite earlier ones
        else:
            self.globs.append((idx, _segment_regex(seg)))

    def freeze(self) -> None:
        self._combined = _Combined(self.globs) if self.globs else None

    def compute(self, name: str) -> int:
        best = self.literal.get(name, -1)
        c = self._combined
        if c is not None and c.max_index > best:
            best = max(best, c.best(name))
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[name] = best
        return best


class _Glob:
    """A wildcard rule, filed in a trie under its leading literal segments.

    Its regexes are compiled on first use: most globs of a large CODEOWNERS are never reached
    by the paths asked about, and compiling all of them up front cost more than the lookups."""

    __slots__ = ("_body", "_dir", "_name", "idx", "last", "pat", "prefix")

    def __init__(self, idx: int, pat: CompiledPattern) -> None:
        prefix: list[str] = []
        for seg in pat.segments:
            lit = _segment_literal(seg)
            if lit is None:
                break
            prefix.append(lit)
        self.idx = idx
        self.pat = pat
        self.prefix = tuple(prefix)
        self.last = _segment_literal(pat.segments[-1])  # a literal last segment: a cheap pre-check
        self._body: re.Pattern[str] | None = None
        self._dir: re.Pattern[str] | None = None
        self._name: re.Pattern[str] | None = None

    @property
    def body_regex(self) -> re.Pattern[str]:
        if self._body is None:
            self._body = re.compile(self.pat.body, re.DOTALL)
        return self._body

    # For matching files: the directory part, and the last segment (the file name).
    @property
    def dir_regex(self) -> re.Pattern[str]:
        if self._dir is None:
            segs = self.pat.segments
            if len(segs) == 1 and _is_dstar(segs[0]):  # ``**``: every file
                self._dir = re.compile(".*", re.DOTALL)
            else:
                self._dir = re.compile(_body_regex(segs[:-1], dir_part=True), re.DOTALL)
        return self._dir

    @property
    def name_regex(self) -> re.Pattern[str]:
        if self._name is None:
            segs = self.pat.segments
            if len(segs) == 1 and _is_dstar(segs[0]):
                self._name = re.compile(".+", re.DOTALL)
            else:
                self._name = re.compile(_segment_regex(segs[-1]), re.DOTALL)
        return self._name


class _Node:
    """Trie node for one literal directory path; holds the globs whose literal prefix ends
    here (separately for directory targets and file targets)."""

    __slots__ = ("children", "dir_globs", "file_globs")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.dir_globs: list[_Glob] = []
        self.file_globs: list[_Glob] = []

    def at(self, prefix: tuple[str, ...]) -> _Node:
        node = self
        for part in prefix:
            nxt = node.children.get(part)
            if nxt is None:
                nxt = node.children[part] = _Node()
            node = nxt
        return node


_Candidates = tuple[tuple[int, re.Pattern[str]], ...]


class _DirState:
    """What a directory passes on: the best rule matching it or an ancestor, and the globs
    that could still beat that for its subdirectories and files (last rule first)."""

    __slots__ = ("best", "cands", "dir_pool", "file_pool", "node")

    def __init__(
        self, best: int, node: _Node | None, dir_pool: list[_Glob], file_pool: list[_Glob]
    ) -> None:
        self.best = best
        self.node = node
        self.dir_pool = dir_pool
        self.file_pool = file_pool
        self.cands: _Candidates | None = None


def _merge(pool: list[_Glob], extra: list[_Glob], floor: int) -> list[_Glob]:
    if extra:
        pool = sorted([*pool, *extra], key=lambda g: -g.idx)
    if pool and pool[-1].idx <= floor:
        pool = [g for g in pool if g.idx > floor]
    return pool


class RuleIndex:
    """Finds the index of the last pattern matching a path, GitHub's last-match-wins rule.

    A file matches a rule when the rule's body matches the file itself (modes FILE_OR_DIR and
    EXACT) or one of its ancestor directories (FILE_OR_DIR and DIR_ONLY). Literal bodies are
    dict lookups, single-segment floating bodies are cached per name, and wildcard bodies sit
    in a trie under their literal leading segments. Walking a path down that trie, each
    directory caches the best rule so far plus the few globs that could still beat it, so a
    file usually costs a handful of dict lookups.
    """

    def __init__(self, patterns: Sequence[CompiledPattern]) -> None:
        self.patterns = list(patterns)
        self._dir_literal: dict[str, int] = {}
        self._file_literal: dict[str, int] = {}
        self._dir_names = _NameIndex()
        self._file_names = _NameIndex()
        self._root = _Node()
        for i, p in enumerate(self.patterns):
            lit = p.literal
            name = p.basename
            glob = _Glob(i, p) if lit is None and name is None else None
            for target_dir in (True, False):
                if p.mode is (Mode.EXACT if target_dir else Mode.DIR_ONLY):
                    continue
                if lit is not None:
                    (self._dir_literal if target_dir else self._file_literal)[lit] = i
                elif name is not None:
                    (self._dir_names if target_dir else self._file_names).add(i, name)
                elif glob is not None:
                    node = self._root.at(glob.prefix)
                    (node.dir_globs if target_dir else node.file_globs).append(glob)
        self._dir_names.freeze()
        self._file_names.freeze()
        self._states: dict[str, _DirState] = {}
        self._root_state = _DirState(
            -1,
            self._root,
            _merge([], self._root.dir_globs, -1),
            _merge([], self._root.file_globs, -1),
        )

    def _state(self, d: str) -> _DirState:
        """The cached state of directory ``d`` ("" is the root), computing missing ancestors
        first."""
        if not d:
            return self._root_state
        states = self._states
        pending = [d]
        parent = d
        while True:
            i = parent.rfind("/")
            if i < 0:
                st = self._root_state
                break
            parent = parent[:i]
            got = states.get(parent)
            if got is not None:
                st = got
                break
            pending.append(parent)
        if len(states) + len(pending) > _CACHE_LIMIT:
            states.clear()
        for cur in reversed(pending):
            st = self._child_state(st, cur)
            states[cur] = st
        return st

    def _child_state(self, parent: _DirState, d: str) -> _DirState:
        name = d[d.rfind("/") + 1 :]
        best = parent.best
        v = self._dir_literal.get(d)
        if v is not None and v > best:
            best = v
        v = self._dir_names.cache.get(name)
        if v is None:
            v = self._dir_names.compute(name)
        if v > best:
            best = v
        dir_pool = parent.dir_pool
        file_pool = parent.file_pool
        pnode = parent.node
        node = pnode.children.get(name) if pnode is not None else None
        if node is not None:
            if node.dir_globs:
                dir_pool = _merge(dir_pool, node.dir_globs, -1)
            if node.file_globs:
                file_pool = _merge(file_pool, node.file_globs, -1)
        for g in dir_pool:
            if g.idx <= best:
                break
            if (g.last is None or g.last == name) and g.body_regex.fullmatch(d):
                best = g.idx
                break
        if dir_pool and dir_pool[-1].idx <= best:
            dir_pool = [g for g in dir_pool if g.idx > best]
        if file_pool and file_pool[-1].idx <= best:
            file_pool = [g for g in file_pool if g.idx > best]
        return _DirState(best, node, dir_pool, file_pool)

    def _dir_best(self, d: str) -> int:
        """Last rule matching directory ``d`` or any of its ancestors, or -1."""
        st = self._states.get(d)
        return (st if st is not None else self._state(d)).best

    def lookup(self, path: str) -> int:
        """Index of the last pattern matching file ``path``, or -1. A path ending in ``/`` is
        a directory: the answer is what every file inside it inherits from the directory."""
        if path[:1] in ("/", ".") or "//" in path or "/./" in path:
            path = normalize_path(path)
        if path[-1:] == "/":
            path = path.rstrip("/")
            return self._dir_best(path) if path else -1
        if not path:
            return -1
        i = path.rfind("/")
        if i < 0:
            name = path
            st = self._root_state
            d = ""
        else:
            name = path[i + 1 :]
            d = path[:i]
            got = self._states.get(d)
            st = got if got is not None else self._state(d)
        best = st.best
        cands = st.cands
        if cands is None:
            pool = st.file_pool
            cands = st.cands = (
                tuple((g.idx, g.name_regex) for g in pool if g.dir_regex.fullmatch(d))
                if pool
                else ()
            )
        v = self._file_literal.get(path)
        if v is not None and v > best:
            best = v
        v = self._file_names.cache.get(name)
        if v is None:
            v = self._file_names.compute(name)
        if v > best:
            best = v
        for idx, rx in cands:
            if idx <= best:
                break
            if rx.fullmatch(name):
                best = idx
                break
        return best
