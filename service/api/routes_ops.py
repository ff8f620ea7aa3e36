"""Operations: read-only SQL, the runs log, schedules and the manual ingest trigger."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from catalog.sqlguard import run_query
from service.api import models
from service.api.jsonvalues import json_value
from service.api.problems import ApiProblem
from service.api.protocol import ServiceLike


def _service(request: Request) -> ServiceLike:
    service: ServiceLike = request.app.state.service
    return service


def router() -> APIRouter:
    api = APIRouter(tags=["operations"])

    @api.post(
        "/sql",
        response_model=models.SqlResult,
        responses={400: {"description": "refused: not one read-only SELECT, or timed out"}},
    )
    def sql(body: models.SqlRequest, request: Request) -> models.SqlResult:
        """One read-only SELECT over Steward's views (see docs/sql-cookbook.md). Anything else
        is refused; the query is interrupted after ``api.sql_timeout_s`` and capped at
        ``min(max_rows, api.sql_max_rows)`` rows."""
        service = _service(request)
        cfg = service.config.api
        cap = min(body.max_rows or cfg.sql_max_rows, cfg.sql_max_rows)
        with service.reader() as cur:
            result = run_query(cur, body.sql, max_rows=cap, timeout_seconds=cfg.sql_timeout_s)
        return models.SqlResult(
            columns=result.columns,
            rows=[[json_value(v) for v in row] for row in result.rows],
            truncated=result.truncated,
        )

    @api.get("/runs", response_model=models.Runs)
    def runs(
        request: Request,
        source: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> models.Runs:
        """The ingest runs log, newest first."""
        where, params = ("WHERE source = ?", [source]) if source else ("", [])
        with _service(request).reader() as cur:
            result = cur.execute(
                "SELECT run_id, source, source_type, started_at, finished_at, duration_ms, "
                "status, record_counts, warning_count, error_count, message FROM ingest_runs "
                f"{where} ORDER BY run_id DESC LIMIT ?",
                [*params, limit],
            )
            columns = [d[0] for d in result.description or []]
            rows = [dict(zip(columns, r, strict=True)) for r in result.fetchall()]
        for row in rows:
            counts: Any = row["record_counts"]
            row["record_counts"] = json.loads(counts) if isinstance(counts, str) else counts
        return models.Runs(runs=[models.Run(**r) for r in rows])

    @api.get("/schedules", response_model=models.Schedules)
    def schedules(request: Request) -> models.Schedules:
        """Every scheduled job (each source, the weekly report) with its next run."""
        return models.Schedules(
            schedules=[
                models.Schedule.model_validate(_plain(s)) for s in _service(request).schedules()
            ]
        )

    @api.post(
        "/ingest/{source}",
        status_code=202,
        response_model=models.IngestAccepted,
        responses={
            404: {"description": "no such source"},
            409: {"description": "the source is running already"},
        },
    )
    def ingest(source: str, request: Request) -> Any:
        """Run one source now through its scheduler job (never overlapping a running one);
        the pipeline (gaps, graph, scorecards, snapshot) follows."""
        service = _service(request)
        known = list(service.config.source_configs)
        if source not in known:
            raise ApiProblem(
                404,
                f"unknown source {source!r}",
                suggestions=difflib.get_close_matches(source, known, n=3, cutoff=0.5),
            )
        result = models.IngestAccepted.model_validate(_plain(service.trigger(source)))
        if not result.accepted:
            raise ApiProblem(409, result.message, source=source)
        return JSONResponse(result.model_dump(), status_code=202)

    return api


def _plain(value: Any) -> Any:
    """A dataclass, a mapping or a model, as a plain mapping for validation."""
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value
