"""Secrets: checked when the config is loaded, then redacted from every text that leaves Steward.

A secret (a source's ``token``, read from ``${ENV}``) is registered once by ``load_config``.
From then on :func:`redact` replaces it with ``***`` in every form an error message or a log
line can show it: raw, stripped of surrounding whitespace, Python-escaped (``repr`` of the
string or of its bytes, as httpx and h11 print header values) and URL-encoded. Redaction runs on
every log record (:func:`install_log_redaction`), on run messages before they are stored in
``ingest_runs`` and on what the CLI prints.

:func:`secret_problem` says why a value cannot be a secret sent in an HTTP header (a control
character such as the trailing CR/LF a shell or file leaves behind, or a non-ASCII character),
without quoting the value.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_LENGTH = 8
"""Forms shorter than this are not redacted: masking every ``demo`` would garble messages
(real API tokens are 20 to 40 characters)."""

_lock = threading.Lock()
_forms: set[str] = set()
_pattern: re.Pattern[str] | None = None
_factory_installed = False


def secret_forms(secret: str) -> set[str]:
    """The ways ``secret`` can appear in text: raw, stripped, escaped and URL-encoded."""
    forms: set[str] = set()
    for value in {secret, secret.strip()}:
        forms.update(
            {
                value,
                repr(value)[1:-1],
                repr(value.encode("utf-8", "backslashreplace"))[2:-1],
                value.encode("unicode_escape").decode("ascii"),
                quote(value, safe=""),
                quote_plus(value, safe=""),
                quote(value),
            }
        )
    return {form for form in forms if len(form) >= MIN_LENGTH}


def register(secret: str) -> None:
    """Redact ``secret`` (in all its forms) from now on, in this process."""
    global _pattern
    forms = secret_forms(secret)
    if not forms:
        return
    with _lock:
        if forms <= _forms:
            return
        _forms.update(forms)
        ordered = sorted(_forms, key=len, reverse=True)  # longest first: no partial masks
        _pattern = re.compile("|".join(re.escape(form) for form in ordered))
    install_log_redaction()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def forget_all() -> None:
    """Unregister every secret (tests only)."""
    global _pattern
    with _lock:
        _forms.clear()
        _pattern = None


def secret_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as a credential in an HTTP header, or None if it can.

    The message never contains the value."""
    for index, char in enumerate(value):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            where = "at its end" if not value[index:].strip() else f"at position {index + 1}"
            return (
                f"contains a control character (U+{ord(char):04X}) {where}, e.g. a line break "
                "left by the file or command that set the variable; the value is not shown"
            )
        if ord(char) > 0x7E:
            return (
                f"contains a non-ASCII character at position {index + 1}; HTTP headers carry "
                "ASCII only (the value is not shown)"
            )
    return None


def _redacted_record(record: logging.LogRecord) -> None:
    if _pattern is None:
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler to report
        return
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Redact secrets from every log record created from now on, whatever handler prints it."""
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redacted_record(record)
        return record

    logging.setLogRecordFactory(factory)


__all__ = [
    "MASK",
    "forget_all",
    "install_log_redaction",
    "redact",
    "register",
    "secret_forms",
    "secret_problem",
]
