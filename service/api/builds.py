"""One in-memory build at a time in the API process.

After every pipeline run the writer publishes a snapshot, and three things are rebuilt from it
in background threads: the scorecard results (``scorecard_cache``), the ownership answers
(``ownership_cache``) and the dependency graph (``graph_memo``). Each build's queries and
columns take ~250 MB at their peak at 50,000 entities, on top of what is being served
meanwhile; started together, the three peaks added up (the API process reached ~1 GB during an
ingest). Taken one after another they cost a second or two more before the last is fresh, and
the process's peak is one build's.
"""

from __future__ import annotations

import threading

BUILD_LOCK = threading.Lock()
"""Held for the whole of a build (its queries and its in-memory result)."""
