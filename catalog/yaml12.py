"""Read catalog YAML exactly as Backstage does, fast.

Backstage (``parseEntityYaml`` in ``@backstage/plugin-catalog-node``) reads catalog files with
the npm package ``yaml`` v2: ``parseAllDocuments(text, {merge: false})``, then per document
``document.errors`` (any → error) and ``document.toJSON()``. That means YAML 1.2 *core schema*
scalars (``yes``/``on`` stay strings, ``0o17`` is octal, ``1_000`` is a string, timestamps stay
strings), ``<<`` is a plain key, duplicate keys are an error, map keys are turned into strings
the way JavaScript does, and aliases are counted against ``maxAliasCount: 100`` with yaml v2's
own arithmetic. PyYAML's loaders implement YAML 1.1, so we cannot use them as they are.

How: libyaml (PyYAML's C parser, ``CParser``) produces the event stream; this module composes
the events straight into JSON-like values. That skips PyYAML's node graph, resolver and
constructor, which is why it is *faster* than ``yaml.load_all(..., Loader=CSafeLoader)`` even
with the extra bookkeeping (field lines, duplicate keys, alias counting). The event stream also
gives us what the C composer hides: where each alias is, and anchors that are redefined (legal
in YAML 1.2; PyYAML's composer rejects them).

Known differences from yaml v2 (all rare in catalog files; each raises YamlError or is noted):

* libyaml's scanner, not yaml v2's lexer, decides what is a syntax error; messages and some
  error lines differ, and a few inputs that one accepts the other rejects (e.g. libyaml refuses
  control characters such as U+0007, which yaml v2 keeps in the string; it skips a byte order
  mark at the start of any line, where yaml v2 keeps one that is not at the very start). Line
  breaks yaml v2 does not know (a lone CR, NEL, LS, PS) are hidden from libyaml.
* Tags whose yaml v2 result is not JSON (``!!set`` maps, ``!!omap``/``!!pairs`` sequences,
  ``!!merge``) are refused.
* A document under ``%YAML 1.1`` (and the documents after it without directives of their own) is
  read as yaml v2 reads it: its yaml-1.1 schema (``yes``/``on``/``y`` booleans, ``0b``/``0``
  octal/sexagesimal/underscored numbers, timestamps as ``Date.toJSON()`` strings) and ``<<``
  merge keys, which that schema applies even with ``merge: false``. An unknown directive
  (``%FOO``, ``%YAML 1.3``) after a 1.1 document is dropped here, so the next document stays
  1.1, where yaml v2 would read ``%FOO``'s document as 1.2.
* Collection-valued and ``!!binary``/``!!timestamp`` map keys are refused (yaml v2 turns them
  into flow-YAML strings).
* Empty implicit keys (``: x`` without ``?``) are errors in libyaml. (What else libyaml
  refuses between documents, yaml v2 takes: a bare document right after ``...``, repeated
  ``...``, unknown directives and ``%YAML`` versions other than 1.1/1.2 (read as 1.2);
  ``_prepare_stream`` rewrites those lines before libyaml sees them.)
* Integer-like keys keep their YAML order here; a JavaScript object lists them first.
* Integers keep full precision here; JavaScript rounds beyond 2**53 (numbers that overflow a
  double become ``inf``, as in JavaScript).
* Nesting deeper than ``MAX_DEPTH`` (400) levels is an error here, naming the line where the
  limit was crossed; yaml v2 gives up near 1100 levels.
* Aliased collections are shared Python objects, as in JavaScript: treat values as read-only.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yaml import MarkedYAMLError
from yaml import YAMLError as PyYAMLError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.reader import ReaderError

from catalog.errors import YamlError

__all__ = ["YamlDocument", "load_all"]

Path = tuple[str | int, ...]
MAX_DEPTH = 400
"""Collections nested deeper than this are an error (yaml v2 gives up near 1100 levels with
RESOURCE_EXHAUSTION; Python's recursion limit would stop us near 500)."""
# libyaml's events are C-made objects; we dispatch on their exact type, so they are typed Any.
_Event = Any


@dataclass(frozen=True)
class YamlDocument:
    """One YAML document of a file.

    ``value`` is None for an empty document; the caller applies Backstage's "object at root"
    rule. ``field_lines`` maps a path such as ``("metadata", "name")`` or
    ``("spec", "dependsOn", 0)`` to the 1-based line of that map key or sequence item (``()`` is
    the root). Paths inside an aliased value are not listed; the alias itself is.
    """

    value: Any
    line: int
    field_lines: dict[Path, int] = field(default_factory=dict, compare=False, repr=False)


def load_all(text: str, *, max_alias_count: int = 100) -> list[YamlDocument]:
    """Parse every document in ``text``; raise YamlError (with a 1-based line) on any error.

    ``max_alias_count`` is yaml v2's option of the same name: 0 forbids aliases, a negative
    number disables the check.
    """
    restore = None
    # YAML 1.1 (libyaml) breaks lines at NEL, LS, PS and a lone CR; yaml v2 keeps them as
    # ordinary characters (it breaks lines only at LF and CRLF). Hide them from libyaml behind
    # noncharacters, put them back after.
    if (
        "\x85" in text or "\u2028" in text or "\u2029" in text or _LONE_CR.search(text)
    ) and not any(c in text for c in _HIDDEN_BREAKS.values()):
        text = _LONE_CR.sub(_HIDDEN_BREAKS["\r"], text).translate(_HIDE_BREAKS)
        restore = _RESTORE_BREAKS
    if _STREAM_SYNTAX.search(text):
        text = _prepare_stream(text)
    composer: _Composer | None = None
    try:
        composer = _Composer(text, max_alias_count)
        docs = composer.documents()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        message = f"{exc.context}: {problem}" if exc.context else problem
        raise YamlError(message, line=mark.line + 1 if mark else None) from None
    except ReaderError as exc:
        # libyaml reports a byte offset into the UTF-8 encoding of the text.
        raw = text.encode("utf-8", "surrogatepass")[: exc.position]
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError(
            f"character U+{ord(char):04X} is not allowed: {exc.reason}", line=raw.count(b"\n") + 1
        ) from None
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise YamlError("text contains an unpaired surrogate character", line=line) from None
    except RecursionError:
        # Only when the caller's stack is already deep; MAX_DEPTH normally stops first.
        raise YamlError(
            "YAML is nested too deeply", line=composer.depth_line if composer else None
        ) from None
    except PyYAMLError as exc:  # pragma: no cover - libyaml raises the marked kinds above
        raise YamlError(str(exc)) from None
    if restore is not None:
        docs = [_restore_document(doc, restore) for doc in docs]
    return docs


_HIDDEN_BREAKS = {"\x85": "\ufdd0", "\u2028": "\ufdd1", "\u2029": "\ufdd2", "\r": "\ufdd3"}
_HIDE_BREAKS = str.maketrans({k: v for k, v in _HIDDEN_BREAKS.items() if k != "\r"})
_LONE_CR = re.compile(r"\r(?!\n)")
_RESTORE_BREAKS = str.maketrans({v: k for k, v in _HIDDEN_BREAKS.items()})


_STREAM_SYNTAX = re.compile(r"^\ufeff?(?:\.\.\.|%)", re.MULTILINE)
_MARKER = re.compile(r"(---|\.\.\.)(?=[ \t]|$)")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#.*)?")
_KNOWN_DIRECTIVE = re.compile(r"%(?:YAML[ \t]+1\.[12]|TAG)(?=[ \t]|$)")


def _prepare_stream(text: str) -> str:
    """Rewrite the stream structure yaml v2 accepts and libyaml does not, line for line.

    Between documents (at the start, or after a ``...`` line) yaml v2 takes a bare document
    without ``---``, extra ``...`` lines (each an empty document), and any directive (it only
    warns about ``%FOO`` or ``%YAML 1.3``, reading the document as 1.2). libyaml refuses all
    three, so those ``...`` lines become ``---`` (the first one too when a bare document
    follows), and unknown directives become comments when a ``---`` follows them (without
    one, both parsers reject the directive). Every line keeps its place, so error lines do
    not move. One empty document is lost: ``...`` at the very start before a bare document
    (Backstage skips empty documents anyway).
    """
    lines = text.split("\n")
    changed = False
    in_document = False  # inside a document (after "---" or content)
    had_document = False  # some document came before the current gap
    dots: list[int] = []  # "..." lines of the current gap between documents
    unknown: list[int] = []  # directive lines yaml v2 ignores, in the current gap

    def close_gap(next_is_bare: bool, next_is_start: bool) -> None:
        nonlocal changed
        for number, index in enumerate(dots):
            if number == 0 and had_document and not next_is_bare:
                continue  # ends the document before it, and libyaml takes that
            lines[index] = "---" + lines[index][3:]
            changed = True
        if next_is_start:
            for index in unknown:
                lines[index] = "#" + lines[index][1:]
                changed = True
        dots.clear()
        unknown.clear()

    for index, raw in enumerate(lines):
        line = raw[1:] if index == 0 and raw.startswith("\ufeff") else raw
        marker = _MARKER.match(line)
        if in_document:
            if marker and marker.group(1) == "...":
                in_document = False
                had_document = True
                dots.append(index)
            continue
        if marker and marker.group(1) == "...":
            dots.append(index)
        elif marker:  # "---"
            close_gap(next_is_bare=False, next_is_start=True)
            in_document = True
        elif line.startswith("%"):
            if not _KNOWN_DIRECTIVE.match(line):
                unknown.append(index)
        elif not _BLANK_OR_COMMENT.fullmatch(line):
            close_gap(next_is_bare=True, next_is_start=False)
            in_document = True
    if not in_document:
        close_gap(next_is_bare=False, next_is_start=False)
    return "\n".join(lines) if changed else text


def _restore_document(doc: YamlDocument, table: dict[int, str]) -> YamlDocument:
    memo: dict[int, Any] = {}  # keeps aliased values shared (and alias-heavy files linear)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return value.translate(table)
        if isinstance(value, dict | list):
            done = memo.get(id(value))
            if done is None:
                if isinstance(value, dict):
                    done = {k.translate(table): walk(v) for k, v in value.items()}
                else:
                    done = [walk(v) for v in value]
                memo[id(value)] = done
            return done
        return value

    lines = {
        tuple(p.translate(table) if isinstance(p, str) else p for p in path): line
        for path, line in doc.field_lines.items()
    }
    return YamlDocument(walk(doc.value), doc.line, lines)


# --- scalars: the yaml v2 core schema -------------------------------------------------------

_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_STR_TAG = "tag:yaml.org,2002:str"
_BINARY_TAG = "tag:yaml.org,2002:binary"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SET_TAG = "tag:yaml.org,2002:set"
_OMAP_TAG = "tag:yaml.org,2002:omap"
_PAIRS_TAG = "tag:yaml.org,2002:pairs"

_MISSING: Any = object()
# Every plain scalar that resolves to null or a bool (yaml v2 core/null.js, core/bool.js).
_LITERALS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}  # fmt: skip
_NUMBER_START = frozenset("0123456789+-.")
# yaml v2's regexes (core/int.js, core/float.js); JavaScript's `$` is Python's fullmatch.
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_DEC = re.compile(r"[-+]?[0-9]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_NAN = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN")
_FLOAT_EXP = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)")
_NULL = re.compile(r"~|[Nn]ull|NULL|")
_BOOL = re.compile(r"[Tt]rue|TRUE|[Ff]alse|FALSE")


def _int(text: str, base: int) -> int | float:
    # JavaScript's parseInt gives a double: Infinity once it overflows. Python's int() also
    # refuses very long decimal strings, and float() gives the same answer there.
    if base == 10 and len(text) > 310:
        return float(text)
    value = int(text, base)
    return value if value.bit_length() <= 1024 else math.inf


def _core_int(text: str) -> Any:
    """An int of the core schema (yaml v2 tests intOct, int, intHex in turn), or _MISSING."""
    if _INT_OCT.fullmatch(text):
        return _int(text[2:], 8)
    if _INT_DEC.fullmatch(text):
        return _int(text, 10)
    if _INT_HEX.fullmatch(text):
        return _int(text[2:], 16)
    return _MISSING


def _core_float(text: str) -> Any:
    """A float of the core schema (floatNaN, floatExp, float), or _MISSING."""
    if _FLOAT_NAN.fullmatch(text):
        return math.nan if text[-3:].lower() == "nan" else -math.inf if text[0] == "-" else math.inf
    if _FLOAT_EXP.fullmatch(text) or _FLOAT.fullmatch(text):
        return float(text)
    return _MISSING


def _plain(text: str) -> Any:
    """The value of an untagged plain scalar."""
    value = _LITERALS.get(text, _MISSING)
    if value is _MISSING:
        if text[0] in _NUMBER_START:
            value = _core_int(text)
            if value is _MISSING:
                value = _core_float(text)
            if value is not _MISSING:
                return value
        return text
    return value


def _tagged(tag: str, text: str, line: int) -> Any:
    """The value of a scalar with an explicit tag (compose-scalar.js findScalarTagByName).

    A tag whose test fails, and any unknown tag, leaves the string: yaml v2 only warns then.
    """
    if tag in ("!", _STR_TAG):
        return text
    if tag == _NULL_TAG:
        return None if _NULL.fullmatch(text) else text
    if tag == _BOOL_TAG:
        return text[0] in "tT" if _BOOL.fullmatch(text) else text
    if tag == _INT_TAG:
        value = _core_int(text)
        return text if value is _MISSING else value
    if tag == _FLOAT_TAG:
        value = _core_float(text)
        return text if value is _MISSING else value
    if tag == _BINARY_TAG:
        return _binary(text)
    if tag == _TIMESTAMP_TAG:
        return _timestamp(text, line)
    if tag == _MERGE_TAG:
        raise YamlError("the !!merge tag is not supported", line=line)
    return text


def _binary(text: str) -> dict[str, Any]:
    # Node's Buffer.from(text, "base64"): URL-safe letters allowed, anything else skipped,
    # stops at padding, a dangling sixth-bit character dropped. JSON of a Buffer is this dict.
    letters = re.sub(
        r"[^A-Za-z0-9+/]", "", text.split("=", 1)[0].replace("-", "+").replace("_", "/")
    )
    if len(letters) % 4 == 1:
        letters = letters[:-1]
    data = base64.b64decode(letters + "=" * (-len(letters) % 4))
    return {"type": "Buffer", "data": list(data)}


_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]+)?"
    r"(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?"
)


def _timestamp(text: str, line: int) -> str | None:
    """``!!timestamp`` as yaml v2 + ``Date.prototype.toJSON`` give it: an ISO string or None."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        raise YamlError("!!timestamp expects a date, starting with yyyy-mm-dd", line=line)
    year, month, day = (int(match[i]) for i in (1, 2, 3))
    hour, minute, second = (int(match[i] or 0) for i in (4, 5, 6))
    millis = int((match[7] + "00")[1:4]) if match[7] else 0
    if 0 <= year <= 99:  # Date.UTC maps two-digit years to 19xx
        year += 1900
    # Date.UTC lets every field overflow into the next one.
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    days = _days_from_civil(year, month, 1) + day - 1
    time = days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis
    zone = match[8]
    if zone and zone != "Z":
        sign = zone[0]
        offset = 0
        for part in zone[1:].split(":"):
            offset = offset * 60 + int(part)
        if abs(offset) < 30:  # yaml v2 reads "+5" as hours and "+05:30" as minutes
            offset *= 60
        time -= 60_000 * (-offset if sign == "-" else offset)
    if abs(time) > 8.64e15:  # outside JavaScript's Date range: toJSON() gives null
        return None
    days, millis = divmod(time, 86_400_000)
    year, month, day = _civil_from_days(days)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return (
        f"{year_text}-{month:02d}-{day:02d}T{millis // 3_600_000:02d}:"
        f"{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}Z"
    )


def _days_from_civil(year: int, month: int, day: int) -> int:
    # Howard Hinnant's algorithm; proleptic Gregorian, any year (datetime stops at 1..9999).
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


# --- scalars: yaml v2's YAML 1.1 schema (a document under a "%YAML 1.1" directive) ----------

_BOOL11_TRUE = re.compile(r"Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON")
_BOOL11_FALSE = re.compile(r"N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF")
_INT11 = (
    (re.compile(r"[-+]?0b[0-1_]+"), 2, 2),
    (re.compile(r"[-+]?0[0-7_]+"), 1, 8),
    (re.compile(r"[-+]?[0-9][0-9_]*"), 0, 10),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), 2, 16),
)
_FLOAT11_EXP = re.compile(r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+")
_FLOAT11 = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*")
_INT11_TIME = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+")
_FLOAT11_TIME = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*")
_JS_FLOAT_PREFIX = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _js_parse_float(text: str) -> float:
    """JavaScript's parseFloat: the longest decimal prefix, NaN when there is none."""
    match = _JS_FLOAT_PREFIX.match(text)
    return float(match.group(0)) if match else math.nan


def _int11(text: str) -> Any:
    """yaml-1.1 int tags in schema order (intBin, intOct, int, intHex), or _MISSING."""
    for pattern, offset, base in _INT11:
        if pattern.fullmatch(text):
            sign = text[0] if text[0] in "+-" else ""
            digits = text[offset + len(sign) :].replace("_", "")
            if not digits:
                return math.nan  # parseInt("") is NaN
            value = _int(digits, base)
            return -value if sign == "-" else value
    return _MISSING


def _float11(text: str) -> Any:
    if _FLOAT_NAN.fullmatch(text):
        return _core_float(text)
    if _FLOAT11_EXP.fullmatch(text) or _FLOAT11.fullmatch(text):
        return _js_parse_float(text.replace("_", ""))
    return _MISSING


def _sexagesimal(text: str, *, fraction: bool) -> float | int:
    sign = text[0] if text[0] in "+-" else ""
    total: float | int = 0
    for part in text[len(sign) :].replace("_", "").split(":"):
        total = total * 60 + (_js_parse_float(part) if fraction and "." in part else int(part))
    return -total if sign == "-" else total


def _plain11(text: str) -> Any:
    """The value of an untagged plain scalar under ``%YAML 1.1`` (yaml v2's yaml-1.1 schema,
    its tags tried in schema order)."""
    if _NULL.fullmatch(text):
        return None
    if _BOOL11_TRUE.fullmatch(text):
        return True
    if _BOOL11_FALSE.fullmatch(text):
        return False
    value = _int11(text)
    if value is _MISSING:
        value = _float11(text)
    if value is not _MISSING:
        return value
    if _INT11_TIME.fullmatch(text):
        return _sexagesimal(text, fraction=False)
    if _FLOAT11_TIME.fullmatch(text):
        return _sexagesimal(text, fraction=True)
    if _TIMESTAMP.fullmatch(text):
        return _timestamp(text, 0)
    return text


def _tagged11(tag: str, text: str, line: int) -> Any:
    """An explicitly tagged scalar under ``%YAML 1.1``: a tag whose test fails leaves the
    string (yaml v2 only warns; its 1.1 schema resolves no other known tags)."""
    if tag == _BOOL_TAG:
        value = _plain11(text)
        return value if isinstance(value, bool) else text
    if tag == _INT_TAG:
        value = _int11(text)
        if value is _MISSING and _INT11_TIME.fullmatch(text):
            value = _sexagesimal(text, fraction=False)
        return text if value is _MISSING else value
    if tag == _FLOAT_TAG:
        value = _float11(text)
        if value is _MISSING and _FLOAT11_TIME.fullmatch(text):
            value = _sexagesimal(text, fraction=True)
        return text if value is _MISSING else value
    if tag == _TIMESTAMP_TAG:
        return _timestamp(text, line) if _TIMESTAMP.fullmatch(text) else text
    return _tagged(tag, text, line)


def _js_number(value: float) -> str:
    """JavaScript's String(number), used for map keys (ECMAScript Number::toString)."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = repr(abs(value)).partition("e")  # repr: shortest round-trip digits
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0")
    digits = (whole + fraction).lstrip("0")
    exponent = int(exp_text or 0) - len(fraction)  # value == int(digits) * 10**exponent
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits, k = stripped, len(stripped)
    n = exponent + k  # position of the decimal point relative to the digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{sign}{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return f"{sign}0.{'0' * -n}{digits}"
    e = f"e{'+' if n >= 1 else '-'}{abs(n - 1)}"
    return f"{sign}{digits[0]}{'.' + digits[1:] if k > 1 else ''}{e}"


def _key_text(value: Any) -> str:
    """The property name JavaScript gives a scalar key (addPairToJSMap.js stringifyKey)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) <= 2**53:
            return str(value)
        try:
            return _js_number(float(value))
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, float):
        return _js_number(value)
    return str(value)


def _identity(value: Any) -> Any:
    """What yaml v2's duplicate-key test (`a.value === b.value`) compares, as a Python value."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return ("const", value)
    if isinstance(value, int | float):
        if value != value:
            return object()  # NaN !== NaN
        return ("number", float(value) if abs(value) <= 1e308 else math.copysign(math.inf, value))
    return object()  # objects (and alias keys, see _Composer) are never equal


# --- composing events -----------------------------------------------------------------------


class _Anchor:
    """yaml v2's per-anchor alias bookkeeping (nodes/Alias.js: `count`, `aliasCount`)."""

    __slots__ = ("alias_count", "count", "has_scalar", "name", "open", "outer", "refs", "value")

    def __init__(self, name: str, value: Any, *, scalar: bool) -> None:
        self.name = name
        self.value = value
        self.count = 1  # the anchored node itself counts once
        self.alias_count = 0  # computed at the first alias, as yaml v2 does
        # For a collection: whether any scalar sits inside it, and which anchors its aliases
        # name; enough to compute yaml v2's getAliasCount() later without keeping nodes.
        self.has_scalar = scalar
        self.refs: set[_Anchor] = set()
        self.open = not scalar
        self.outer: _Anchor | None = None

    def get_alias_count(self) -> int:
        # getAliasCount(): max over the leaves of the node; a scalar is 1, an alias is its
        # anchor's count * aliasCount *now*, an empty collection contributes nothing.
        best = 1 if self.has_scalar else 0
        for ref in self.refs:
            best = max(best, ref.count * ref.alias_count)
        return best


class _Composer:
    def __init__(self, text: str, max_alias_count: int) -> None:
        self._parser = CParser(text)
        self._get: Callable[[], _Event] = self._parser.get_event
        self._max_alias_count = max_alias_count
        self._anchors: dict[str, _Anchor] = {}
        self._lines: dict[Path, int] = {}
        # The innermost anchored collection being built; only set while one is open, so
        # files without anchors never touch the alias bookkeeping.
        self._track: _Anchor | None = None
        self._plain: Callable[[str], Any] = _plain
        self._tagged: Callable[[str, str, int], Any] = _tagged
        self._yaml11 = False
        self._depth = 0
        self._open: _Event = None  # the innermost collection's start event

    @property
    def depth_line(self) -> int | None:
        """Line of the innermost collection being built (where too deep nesting is reported)."""
        return None if self._open is None else int(self._open.start_mark.line) + 1

    def _set_version(self, yaml11: bool) -> None:
        self._yaml11 = yaml11
        self._plain = _plain11 if yaml11 else _plain
        self._tagged = _tagged11 if yaml11 else _tagged

    def documents(self) -> list[YamlDocument]:
        get = self._get
        docs: list[YamlDocument] = []
        try:
            get()  # StreamStartEvent
            while True:
                event = get()
                if type(event) is StreamEndEvent:
                    return docs
                if event.version is not None or event.tags:
                    # yaml v2 reads a document under "%YAML 1.1" with its YAML 1.1 schema, and
                    # the documents after it that have no directives of their own; any other
                    # directive resets the stream to 1.2 (libyaml refuses versions other than
                    # 1.1 and 1.2).
                    self._set_version(event.version is not None and tuple(event.version) == (1, 1))
                self._anchors = {}
                lines: dict[Path, int] = {}  # a fresh dict: each document keeps its own
                self._lines = lines
                root = get()
                line = root.start_mark.line + 1
                if type(root) is ScalarEvent and not root.value and not root.style:
                    # An empty document: yaml v2 places its empty node on the "---" line,
                    # libyaml at the next token.
                    line = event.start_mark.line + 1
                lines[()] = line
                value = self._value(root, ())
                get()  # DocumentEndEvent
                docs.append(YamlDocument(value, line, lines))
        finally:
            self._parser.dispose()

    def _value(self, event: _Event, path: Path) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            if self._track is not None:
                self._track.has_scalar = True
            tag = event.tag
            if tag is None:
                value = event.value if event.style else self._plain(event.value)
            else:
                value = self._tagged(tag, event.value, event.start_mark.line + 1)
            if event.anchor is not None:
                self._anchors[event.anchor] = _Anchor(event.anchor, value, scalar=True)
            return value
        if kind is AliasEvent:
            return self._alias(event).value
        anchor = None
        if event.anchor is not None:
            anchor = self._open_anchor(event.anchor)
        self._depth += 1
        outer, self._open = self._open, event
        if self._depth > MAX_DEPTH:
            raise YamlError(
                f"YAML is nested too deeply (more than {MAX_DEPTH} levels)", line=self.depth_line
            )
        if kind is MappingStartEvent:
            if event.tag == _SET_TAG:
                raise YamlError("the !!set tag is not supported", line=event.start_mark.line + 1)
            value = self._mapping(path)
        else:
            if event.tag in (_OMAP_TAG, _PAIRS_TAG):
                raise YamlError(
                    f"the !!{event.tag.rsplit(':', 1)[1]} tag is not supported",
                    line=event.start_mark.line + 1,
                )
            value = self._sequence(path)
        self._depth -= 1
        self._open = outer
        if anchor is not None:
            self._close_anchor(anchor, value)
        return value

    def _mapping(self, path: Path) -> dict[str, Any]:
        get = self._get
        lines = self._lines
        result: dict[str, Any] = {}
        # Keys whose JS identity is not their own text (numbers, bools, null, aliases...): for
        # each property name, every identity seen so far. Stays None in ordinary maps.
        identities: dict[str, list[Any]] | None = None
        merged: set[str] = set()  # keys that "<<" added and no key of this map has set yet
        while True:
            key_event = get()
            kind = type(key_event)
            if kind is MappingEndEvent:
                return result
            line = key_event.start_mark.line + 1
            if (
                kind is ScalarEvent
                and key_event.tag is None
                and key_event.anchor is None
                and self._track is None
                and (key_event.style or self._plain(key_event.value) is key_event.value)
            ):
                if self._yaml11 and key_event.value == "<<" and not key_event.style:
                    self._merge(result, get(), line, merged)
                    continue
                # The common case: a plain string key is its own name and identity.
                key: str = key_event.value
                identity: Any = key
            else:
                key, identity = self._key(key_event, line)
            if key in merged:  # a key of the map itself replaces the merged value, in place
                merged.discard(key)
                if identities is not None:
                    identities.pop(key, None)
                if type(identity) is not str:
                    identities = identities if identities is not None else {}
                    identities[key] = [identity]
            elif key in result:
                seen = identities.get(key) if identities is not None else None
                if seen is None:
                    # Only plain string keys had this name so far (else it would be listed).
                    seen = [key]
                    if identities is None:
                        identities = {}
                    identities[key] = seen
                if identity in seen:
                    first = lines.get((*path, key))
                    where = f" (first on line {first})" if first is not None else ""
                    raise YamlError(
                        f"duplicate key {key!r}{where}: map keys must be unique", line=line
                    )
                seen.append(identity)
            elif type(identity) is not str:
                if identities is None:
                    identities = {}
                identities[key] = [identity]
            child = (*path, key)
            value_event = get()
            result[key] = self._value(value_event, child)
            lines[child] = line

    def _merge(self, result: dict[str, Any], event: _Event, line: int, merged: set[str]) -> None:
        """A YAML 1.1 merge key (yaml v2's addMergeToJSMap): the keys of a map, or of each map
        of a list, that ``result`` does not have yet are added in order."""
        value = self._value(event, ())
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise YamlError("merge sources must be maps or map aliases", line=line)
            for key, item in source.items():
                if key not in result:
                    result[key] = item
                    merged.add(key)

    def _key(self, event: _Event, line: int) -> tuple[str, Any]:
        """Property name and duplicate-check identity of a key that is not a plain string."""
        if type(event) is AliasEvent:
            anchor = self._alias(event)
            value = anchor.value
            # yaml v2 prints an alias key whose value is an object as the alias itself.
            name = f"*{anchor.name}" if isinstance(value, dict | list) else _key_text(value)
            return name, object()  # an Alias node equals no other key node
        if type(event) is not ScalarEvent:
            raise YamlError("a map key that is itself a map or a list is not supported", line=line)
        if event.tag in (_BINARY_TAG, _TIMESTAMP_TAG):
            raise YamlError("a !!binary or !!timestamp map key is not supported", line=line)
        value = self._value(event, ())
        return _key_text(value), _identity(value)

    def _sequence(self, path: Path) -> list[Any]:
        get = self._get
        lines = self._lines
        result: list[Any] = []
        append = result.append
        index = 0
        while True:
            event = get()
            if type(event) is SequenceEndEvent:
                return result
            child = (*path, index)
            lines[child] = event.start_mark.line + 1
            append(self._value(event, child))
            index += 1

    def _open_anchor(self, name: str) -> _Anchor:
        # Registered before the children are built: yaml v2 resolves an alias to the last
        # anchor *before* it in document order, and the collection's own anchor comes first.
        anchor = _Anchor(name, None, scalar=False)
        anchor.outer = self._track
        self._track = anchor
        self._anchors[name] = anchor
        return anchor

    def _close_anchor(self, anchor: _Anchor, value: Any) -> None:
        anchor.value = value
        anchor.open = False
        self._track = outer = anchor.outer
        if outer is not None:  # the enclosing anchored collection contains all our leaves
            outer.has_scalar = outer.has_scalar or anchor.has_scalar
            outer.refs |= anchor.refs

    def _alias(self, event: _Event) -> _Anchor:
        """Resolve an alias and count it exactly as yaml v2's Alias.resolve() does."""
        name: str = event.anchor
        line = event.start_mark.line + 1
        anchor = self._anchors.get(name)
        if anchor is None:
            raise YamlError(f"unknown alias *{name}: the anchor must be set before it", line=line)
        if anchor.open:
            raise YamlError(f"alias *{name} refers to a collection that contains it", line=line)
        limit = self._max_alias_count
        if limit == 0:
            raise YamlError("aliases are not allowed", line=line)
        if limit > 0:
            anchor.count += 1
            if anchor.alias_count == 0:
                anchor.alias_count = anchor.get_alias_count()
            if anchor.count * anchor.alias_count > limit:
                raise YamlError(
                    f"too many aliases (*{name}): excessive alias count indicates a resource "
                    f"exhaustion attack (limit {limit})",
                    line=line,
                )
        if self._track is not None:
            self._track.refs.add(anchor)
        return anchor
