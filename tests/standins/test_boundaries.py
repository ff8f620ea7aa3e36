"""Stand-ins are for the demo, the tests and the benchmarks: the product never imports them."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ["catalog", "ingest", "graph", "scorecards"]
"""``service/`` may (``steward demo`` serves the example organisation from stand-ins)."""


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_sources_and_consumers_never_import_standins() -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for package in PRODUCT
        for path in sorted((REPO / package).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module == "standins" or module.startswith("standins.")
    ]
    assert offenders == []


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom standins.pagerduty import FakePagerDuty\n")
    assert imported_modules(sample) == {"os", "standins.pagerduty"}
