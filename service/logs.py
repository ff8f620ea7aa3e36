"""Logging for ``steward serve``: stderr, one line per event (text or JSON lines), secrets
redacted from every record (``catalog.secrets``)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from enum import StrEnum


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class OneLineFormatter(logging.Formatter):
    """``2026-12-04T17:00:00Z INFO service.scheduler: message``; a traceback stays on the
    same line (newlines escaped), so one event is one line."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{at} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += " | " + record.exc_text
        return line.replace("\n", "\\n")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        return json.dumps(event, default=str)


def configure_logging(fmt: LogFormat = LogFormat.text, level: int = logging.INFO) -> None:
    """Send every logger's records (uvicorn's and APScheduler's too) to stderr."""
    from catalog.secrets import install_log_redaction

    install_log_redaction()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter() if fmt is LogFormat.json else OneLineFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
