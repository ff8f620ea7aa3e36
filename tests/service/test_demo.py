"""``steward demo`` serves the example organisation, and every follow-up command of the
README's tour works in a second terminal while it runs."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[2]
STEWARD = Path(sys.executable).parent / "steward"


def readme_tour_commands() -> list[list[str]]:
    """The ``.venv/bin/steward …`` lines of the README's five-minute tour."""
    text = (ROOT / "README.md").read_text()
    tour = text[text.index("## Five-minute tour") :]
    block = re.search(r"```sh\n(.*?)```", tour, re.S)
    assert block is not None
    commands = [
        shlex.split(line)
        for line in block.group(1).splitlines()
        if line.startswith(".venv/bin/steward ")
    ]
    assert len(commands) >= 5
    return [[str(STEWARD), *c[1:]] for c in commands]


def test_demo_serves_and_every_readme_command_works_beside_it(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    log = (tmp_path / "demo.log").open("w")
    proc = subprocess.Popen(
        [str(STEWARD), "demo", "--port", "0", "-c", "examples/steward.yaml"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 120
        seen = []
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"serves the example organisation on (http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url is not None, "".join(seen) + (tmp_path / "demo.log").read_text()
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{url}/readyz").status_code == 200

        for command in readme_tour_commands():
            # run in the copy the demo serves (the README runs in the checkout)
            result = subprocess.run(
                command, cwd=tmp_path, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            if "-c" in command:  # the database is the demo's: its snapshot is read
                assert "reading its snapshot" in result.stderr, (command, result.stderr)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        finally:
            proc.kill()
            log.close()
    assert proc.returncode == 0, (tmp_path / "demo.log").read_text()
    assert "stopped" in (tmp_path / "demo.log").read_text()
