"""``/healthz`` (the process answers), ``/readyz`` (the store answers, the last runs were ok)."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.api.protocol import ServiceLike


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    store: bool
    sources: dict[str, str]
    """Each configured source's latest finished run status (``never`` if it has not run)."""
    problems: list[str]


def readiness(service: ServiceLike) -> Readiness:
    problems: list[str] = []
    statuses: dict[str, str] = {name: "never" for name in service.config.source_configs}
    try:
        with service.reader() as cur:
            rows = cur.execute(
                "SELECT source, arg_max(status, run_id) FROM ingest_runs "
                "WHERE status <> 'running' GROUP BY source"
            ).fetchall()
    except duckdb.Error as exc:
        return Readiness(
            ready=False, store=False, sources=statuses, problems=[f"store: {type(exc).__name__}"]
        )
    for source, status in rows:
        if source in statuses:
            statuses[str(source)] = str(status)
    for name, status in statuses.items():
        if status == "never":
            problems.append(f"source {name} has not run yet")
        elif status not in ("ok", "unchanged"):
            problems.append(f"the last run of source {name} {status}")
    return Readiness(ready=not problems, store=True, sources=statuses, problems=problems)


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", response_model=Health)
    def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "not ready"}},
    )
    def readyz(request: Request) -> Any:
        found = readiness(request.app.state.service)
        if found.ready:
            return found
        return JSONResponse(found.model_dump(), status_code=503)

    return router
