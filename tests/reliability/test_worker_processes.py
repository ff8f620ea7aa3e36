"""Parser workers die with their parent and do not hold its stdout/stderr (issue 15, item 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.reliability.helpers import REPO, session_processes, wait_until_gone

# Starts the catalog_files source's worker pool (the real _parse_many, 2 workers, above the
# parallel threshold), takes one result so the workers are running, then waits to be killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
    from ingest.source import SourceContext

    doc = b"apiVersion: backstage.io/v1alpha1\\nkind: Group\\nmetadata: {name: g%d}\\n"
    doc += b"spec: {type: team, children: []}\\n"
    root = Path(sys.argv[1])
    config = CatalogFilesConfig.model_validate(
        {"type": "catalog_files", "roots": [str(root)], "workers": 2}
    )
    source = CatalogFilesSource(config)
    jobs = [(doc % i, str(root / f"g{i}.yaml")) for i in range(4000)]
    results = source._parse_many(jobs, SourceContext("c", root, None))
    next(results)
    print("ready", flush=True)
    time.sleep(120)
    """
)


def test_killed_parent_leaves_no_worker_and_no_open_pipe(tmp_path: object) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        family = session_processes(proc.pid)
        assert len(family) >= 4, family  # parent, forkserver, 2 workers (+ resource tracker)
        os.kill(proc.pid, signal.SIGKILL)
        # The pipes reach end-of-file once the parent is dead: no child holds them open.
        out, _err = proc.communicate(timeout=5)
        assert out == b""
        survivors = wait_until_gone(proc.pid, timeout=5)
        assert survivors == [], f"orphans after 5 s: {survivors} (family was {family})"
    finally:
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.wait()
