"""What importing a package loads: a CLI command pays for every module it imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("networkx", "pydantic", "pyarrow", "boto3", "catalog.store.store", "scorecards.engine")


def _loaded_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "import graph",
        "from graph.cache_file import cached_graph",
        "from graph import blast_radius, Direction",
        "import scorecards.queries",
        "import service.cli",
    ],
)
def test_light_imports_load_nothing_heavy(statement: str) -> None:
    assert _loaded_after(statement) & set(HEAVY) == set()


def test_whole_graph_questions_still_load_networkx() -> None:
    loaded = _loaded_after(
        "from graph.model import CatalogGraph\n"
        "g = CatalogGraph.from_nodes([], ([], [], []))\n"
        "from graph import dependency_cycles\n"
        "dependency_cycles(g)"
    )
    assert "networkx" in loaded
