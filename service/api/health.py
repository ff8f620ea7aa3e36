"""``/healthz`` (the process answers), ``/readyz`` (the store answers, the last runs were ok).

Ready means: the store answers, every configured source's latest finished run is ``ok`` or
``unchanged``, and no step after the sources (gaps, graph, scorecards, retention, publish)
failed in the latest pipeline run. Not ready answers 503 as ``application/problem+json`` naming
each problem (and each failed step in ``failed_steps``); the next clean pipeline run makes the
service ready again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.api.problems import problem
from service.api.protocol import ServiceLike
from service.steward_service import PipelineRun


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    store: bool
    sources: dict[str, str]
    """Each configured source's latest finished run status (``never`` if it has not run)."""
    failed_steps: dict[str, str] = {}
    """Steps of the latest pipeline run that failed (``gaps``, ``graph``, ``scorecards``,
    ``retention``, ``publish``), each with its error."""
    problems: list[str]


@dataclass
class PipelineWatch:
    """The latest pipeline run that has told its outcome: finished, or with a step failed.

    The service replaces ``last_run`` when a run starts; while the next run is under way (and
    no step of it has failed yet) readiness still answers for the one before."""

    concluded: PipelineRun | None = None

    def latest(self, service: object) -> PipelineRun | None:
        run = getattr(service, "last_run", None)
        if isinstance(run, PipelineRun) and (run.finished_at is not None or run.errors):
            self.concluded = run
        return self.concluded


def failed_steps(run: PipelineRun | None) -> dict[str, str]:
    """``{step: error}`` from a run's errors (``"publish: disk full"``); the first error of a
    step that ran twice (``graph``) is kept."""
    steps: dict[str, str] = {}
    for error in run.errors if run is not None else []:
        step, _, detail = error.partition(": ")
        steps.setdefault(step if detail else "pipeline", detail or error)
    return steps


def readiness(service: ServiceLike, watch: PipelineWatch | None = None) -> Readiness:
    problems: list[str] = []
    statuses: dict[str, str] = {name: "never" for name in service.config.source_configs}
    steps = failed_steps((watch or PipelineWatch()).latest(service))
    try:
        with service.reader() as cur:
            rows = cur.execute(
                "SELECT source, arg_max(status, run_id) FROM ingest_runs "
                "WHERE status <> 'running' GROUP BY source"
            ).fetchall()
    except duckdb.Error as exc:
        return Readiness(
            ready=False,
            store=False,
            sources=statuses,
            failed_steps=steps,
            problems=[f"store: {type(exc).__name__}"],
        )
    for source, status in rows:
        if source in statuses:
            statuses[str(source)] = str(status)
    for name, status in statuses.items():
        if status == "never":
            problems.append(f"source {name} has not run yet")
        elif status not in ("ok", "unchanged"):
            problems.append(f"the last run of source {name} {status}")
    for step, error in steps.items():
        problems.append(f"the {step} step of the last pipeline run failed: {error}")
    return Readiness(
        ready=not problems, store=True, sources=statuses, failed_steps=steps, problems=problems
    )


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])
    watch = PipelineWatch()

    @router.get("/healthz", response_model=Health)
    def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={
            503: {
                "model": Readiness,
                "description": "not ready: application/problem+json with the fields above",
            }
        },
    )
    def readyz(request: Request) -> Any:
        found = readiness(request.app.state.service, watch)
        if found.ready:
            return found
        return not_ready(found)

    return router


def not_ready(found: Readiness) -> JSONResponse:
    """503 ``application/problem+json``: the problems in ``detail``, the fields as members."""
    return problem(503, "; ".join(found.problems), **found.model_dump())
