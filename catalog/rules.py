"""Shared pieces of the catalog rules: the issue type and JavaScript semantics helpers.

Backstage's rules run in JavaScript (ajv JSON schemas, ``typeof``, ``String.prototype.trim``,
the WHATWG ``URL`` constructor). These helpers reproduce exactly the parts the rules depend on,
so the hand-written checks in ``envelope``, ``policies`` and ``kinds`` give the same verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One rule violation; ``path`` locates the offending value inside the document."""

    message: str
    path: FieldPath = ()


def render_path(path: FieldPath) -> str:
    """``("spec", "providesApis", 1)`` → ``spec.providesApis[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def js_typeof(value: Any) -> str:
    """What JavaScript's ``typeof`` says about a YAML/JSON value."""
    if value is None or isinstance(value, dict | list):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def ajv_type(value: Any) -> str:
    """The JSON-schema type name of a value (ajv's view)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# ECMAScript WhiteSpace + LineTerminator, what String.prototype.trim() removes.
_JS_WS = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(value: str) -> str:
    return value.strip(_JS_WS)


def is_non_empty_string(value: Any) -> bool:
    return isinstance(value, str) and len(js_trim(value)) >= 1


def js_length(value: str) -> int:
    """``String.prototype.length``: UTF-16 code units."""
    if value.isascii():
        return len(value)
    return len(value) + sum(1 for ch in value if ord(ch) > 0xFFFF)


# ---------------------------------------------------------------------------------------------
# WHATWG URL parsing, reduced to "does ``new URL(value)`` throw?".

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)", re.S)
_SPECIAL = frozenset({"http", "https", "ws", "wss", "ftp"})
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | frozenset(chr(c) for c in range(0x20)) | {"%", "\x7f"}
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_IPV6 = re.compile(r"[0-9A-Fa-f:.]+")


def _ipv4_number(part: str) -> int | None:
    if part == "":
        return None
    base = 10
    if part[:2] in ("0x", "0X"):
        part, base = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, base = part[1:], 8
    if part == "":
        return 0
    digits = {10: "0123456789", 16: "0123456789abcdefABCDEF", 8: "01234567"}[base]
    if any(ch not in digits for ch in part):
        return None
    return int(part, base)


def _ends_in_number(host: str) -> bool:
    parts = host.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and all(ch in "0123456789" for ch in last):
        return True
    return _ipv4_number(last) is not None and last[:2] in ("0x", "0X")


def _valid_ipv4(host: str) -> bool:
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return False
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return False
    nums = [n for n in numbers if n is not None]
    if any(n > 255 for n in nums[:-1]):
        return False
    limit: int = 256 ** (5 - len(nums))
    return nums[-1] < limit


def _valid_ipv6(inner: str) -> bool:
    if not _IPV6.fullmatch(inner) or inner.count("::") > 1:
        return False
    groups = inner.split(":")
    if "." in groups[-1]:
        v4 = groups.pop()
        v4_parts = v4.split(".")
        if len(v4_parts) != 4 or not all(
            p.isdigit() and (p == "0" or not p.startswith("0")) and int(p) <= 255 for p in v4_parts
        ):
            return False
        groups += ["0", "0"]
    if "::" in inner:
        filled = [g for g in groups if g != ""]
        if len(filled) > 7:
            return False
    elif len(groups) != 8:
        return False
    return all(len(g) <= 4 for g in groups)


def _valid_port(port: str) -> bool:
    return port == "" or (port.isascii() and port.isdigit() and int(port) <= 65535)


def _split_authority(rest: str) -> tuple[str, str] | None:
    """``user@host:port`` → (host, port); None when the bracketed host is malformed."""
    end = len(rest)
    for sep in "/?#\\":
        i = rest.find(sep)
        if i != -1:
            end = min(end, i)
    authority = rest[:end]
    at = authority.rfind("@")
    host_port = authority[at + 1 :] if at != -1 else authority
    if host_port.startswith("["):
        close = host_port.find("]")
        if close == -1:
            return None
        host, after = host_port[: close + 1], host_port[close + 1 :]
        if after and not after.startswith(":"):
            return None
        return host, after[1:]
    colon = host_port.find(":")
    if colon == -1:
        return host_port, ""
    return host_port[:colon], host_port[colon + 1 :]


_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
# The common case, decided without the general parser: http(s), a DNS host whose last label
# starts with a letter (so not an IPv4 address), no IDNA labels, a port of at most 4 digits.
_FAST_URL = re.compile(
    r"https?://(?!.*xn--)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[A-Za-z][A-Za-z0-9-]*\.?"
    r"(?::[0-9]{0,4})?(?:[/?#][^\x00-\x20]*)?",
    re.S,
)


def is_valid_url(value: Any) -> bool:
    """True when ``new URL(value)`` succeeds in Node (WHATWG URL Standard)."""
    if not isinstance(value, str):
        return False
    if _FAST_URL.fullmatch(value):
        return True
    text = value.strip(_C0_AND_SPACE).replace("\t", "")
    text = text.replace("\n", "").replace("\r", "")
    match = _SCHEME.fullmatch(text)
    if not match:
        return False
    scheme, rest = match.group(1).lower(), match.group(2)
    if scheme == "file":
        return True
    special = scheme in _SPECIAL
    if special:
        rest = rest.lstrip("/\\")
    elif rest.startswith("//"):
        rest = rest[2:]
    else:
        return True
    parts = _split_authority(rest)
    if parts is None:
        return False
    host, port = parts
    if not _valid_port(port):
        return False
    if host.startswith("["):
        return _valid_ipv6(host[1:-1])
    if not special:
        return not any(ch in _FORBIDDEN_HOST for ch in host)
    try:
        decoded = _PCT.sub(lambda m: chr(int(m.group(1), 16)), host)
    except ValueError:  # pragma: no cover - the pattern only yields hex
        return False
    if decoded == "" or any(ch in _FORBIDDEN_DOMAIN for ch in decoded):
        return False
    if _ends_in_number(decoded.lower()):
        return _valid_ipv4(decoded.lower())
    return True
