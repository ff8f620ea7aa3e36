"""What a command pays for at start-up: importing the store opens no DuckDB connection."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import catalog.store, catalog.sqlguard
print(catalog.sqlguard._PARSER is None)
catalog.sqlguard.check_query("SELECT 1")
print(catalog.sqlguard._PARSER is None)
"""


def test_the_sql_guards_parser_is_opened_on_the_first_check_not_at_import() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "False"]
