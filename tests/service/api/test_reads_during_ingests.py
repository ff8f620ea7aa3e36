"""API reads while the scheduler ingests (issue 15 item 7): ``steward serve`` as a process
(the writer and its API process), requests over 127.0.0.1 at a moderate rate while catalog
ingests triggered through the API run one after another, each changing a check's result.

Asserted: no request fails, and no response mixes two runs — each scorecard in a response
carries exactly the checks, level and score its scorecard run stored (read back from the
database afterwards), and its history ends at that run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import EXAMPLES, TOKEN

STEWARD = [sys.executable, "-c", "from service.cli import app; app()"]
REF = "component:default/billing-service"
PATH = "/api/v1/entities/component/default/billing-service"
OTHERS = [
    "/api/v1/entities/component/default/payments-api/scorecards",
    "/api/v1/entities/component/default/billing-service/ownership",
    "/api/v1/entities/component/default/billing-service/blast-radius",
    "/api/v1/gaps",
]
LONG = "Generates invoices and credit notes for B2B customers."
SHORT = "Invoices."  # fails production-readiness' has-description (.{20,})
RUNS = 3
RATE = 40  # requests per second


def _config(root: Path) -> Path:
    shutil.copytree(EXAMPLES / "org", root / "org")
    config = root / "steward.yaml"
    config.write_text(
        f"database: {root / 'steward.duckdb'}\n"
        "sources:\n"
        f"  catalog: {{type: catalog_files, roots: [{root}/org/org, {root}/org/repos]}}\n"
        f"  codeowners: {{type: codeowners, roots: [{root}/org/repos],"
        " org_namespaces: {acme: default}}\n"
        f"scorecards: {EXAMPLES}/scorecards\n"
        "api: {host: 127.0.0.1}\n"
    )
    return config


def _serving_url(
    proc: subprocess.Popen[str], lines: list[str], timeout: float
) -> tuple[str, threading.Thread]:
    """The URL ``steward serve`` announces; its stderr is read on (into ``lines``) so the
    process never blocks on a full pipe."""
    assert proc.stderr is not None
    stream = proc.stderr
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if "serving url=" in line:
            drain = threading.Thread(target=lambda: lines.extend(stream), daemon=True)
            drain.start()
            return line.split("serving url=", 1)[1].split()[0], drain
    raise AssertionError("steward serve did not announce its URL:\n" + "".join(lines))


def _set_description(root: Path, text: str) -> None:
    path = root / "org" / "repos" / "billing-service" / "catalog-info.yaml"
    body = path.read_text()
    for old in (LONG, SHORT):
        body = body.replace(f"description: {old}\n", f"description: {text}\n", 1)
    path.write_text(body)


async def _load(base: str, root: Path) -> tuple[list[dict[str, Any]], list[str], int]:
    """Requests at RATE per second until RUNS triggered catalog runs have each been served."""
    bodies: list[dict[str, Any]] = []
    failures: list[str] = []
    served_runs: set[int] = set()
    done = asyncio.Event()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:

        async def one(path: str) -> None:
            try:
                response = await client.get(path)
            except httpx.HTTPError as exc:
                failures.append(f"{path}: {exc!r}")
                return
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
            elif path == f"{PATH}/scorecards":
                body = response.json()
                bodies.append(body)
                for card in body["scorecards"]:
                    served_runs.add(card["history"][-1]["run_id"])

        async def ingests() -> None:
            while not served_runs:  # the run the service started with, served
                await asyncio.sleep(0.05)
            for i in range(RUNS):
                newest = max(served_runs)
                _set_description(root, SHORT if i % 2 == 0 else LONG)
                while True:  # a trigger while the previous run still finishes gets 409
                    trigger = await client.post("/api/v1/ingest/catalog")
                    if trigger.status_code == 202:
                        break
                    assert trigger.status_code == 409, trigger.text
                    await asyncio.sleep(0.2)
                while max(served_runs) <= newest:  # until the API serves this run's results
                    await asyncio.sleep(0.1)
            done.set()

        writer = asyncio.create_task(ingests())
        tasks: set[asyncio.Task[None]] = set()
        i = 0
        while not done.is_set():
            path = f"{PATH}/scorecards" if i % 2 == 0 else OTHERS[(i // 2) % len(OTHERS)]
            task = asyncio.create_task(one(path))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
            await asyncio.sleep(1 / RATE)
            if writer.done() and writer.exception() is not None:
                break
        await writer
        await asyncio.gather(*tasks)
    return bodies, failures, i


def _stored(database: Path, run_id: int, card: str) -> dict[str, Any]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        checks = con.execute(
            "SELECT check_id, state, coalesce(evidence, '') FROM scorecard_result_rows "
            "WHERE run_id = ? AND scorecard = ? AND ref = ? ORDER BY check_id",
            [run_id, card, REF],
        ).fetchall()
        level, score = con.execute(
            "SELECT level, score FROM scorecard_score_history WHERE run_id = ? AND scorecard = ? "
            "AND ref = ?",
            [run_id, card, REF],
        ).fetchall()[0]
    finally:
        con.close()
    return {"checks": checks, "level": level, "score": score}


def test_reads_during_scheduled_ingests_never_fail_and_never_mix_two_runs(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    with StewardService(load_config(config)) as first:  # the catalog the API starts with
        assert first.run_pipeline().ok
    env = {**os.environ, "STEWARD_API_TOKENS": TOKEN}
    proc = subprocess.Popen(
        [*STEWARD, "serve", "--config", str(config), "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    drain: threading.Thread | None = None
    try:
        base, drain = _serving_url(proc, log, 60)
        bodies, failures, sent = asyncio.run(_load(base, tmp_path))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        if drain is not None:
            drain.join(30)  # end of file once the writer and its API process have exited
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == 0, "".join(log[-20:])
    assert failures == []
    assert sent > len(bodies) > RUNS
    states = set()
    runs = set()
    for body in bodies:
        assert body["ref"] == REF and body["scorecards"]
        for card in body["scorecards"]:
            history = [point["run_id"] for point in card["history"]]
            assert history == sorted(set(history))
            run_id = history[-1]
            runs.add(run_id)
            stored = _stored(tmp_path / "steward.duckdb", run_id, card["id"])
            served = sorted((c["id"], c["state"], c["evidence"]) for c in card["checks"])
            assert served == stored["checks"], (run_id, card["id"])
            assert (card["level"], card["score"]) == (stored["level"], stored["score"])
            assert card["history"][-1]["level"] == card["level"]
            states.update(
                (run_id, c["state"]) for c in card["checks"] if c["id"] == "has-description"
            )
    # every triggered run was served, with the check's result flipping between them
    assert len(runs) >= RUNS
    assert {state for _, state in states} == {"pass", "fail"}, (states, log[-30:])
