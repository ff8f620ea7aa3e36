"""The FastAPI application: ``create_app(service, auth=...)``; uvicorn runs it in ``steward serve``.

Routes are thin: each reads through ``service.reader()`` (its own cursor, never waiting for an
ingest) or ``service.graph()``, and answers with a pydantic model so ``/docs`` shows the exact
schema. Every ``/api/`` route needs a bearer token unless ``auth=False`` (``steward demo``);
``/healthz`` and ``/readyz`` never do, ``/metrics`` does when ``api.metrics_auth`` is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api import routes_entities, routes_ops, routes_reports, routes_teams
from service.api.auth import TokenCheck, tokens_from_env
from service.api.graph_memo import GraphMemo
from service.api.health import health_router
from service.api.metrics import ApiMetrics
from service.api.middleware import ApiAuth, BodyLimit, Timing
from service.api.ownership_cache import OwnershipCache
from service.api.problems import ApiProblem, install_problem_handlers
from service.api.protocol import ServiceLike
from service.api.reads import Reads, default_max_reads
from service.api.scorecard_cache import ScorecardCache

THREADS = 8
"""FastAPI's thread pool (sync routes and dependencies); anyio's default is 40."""
_bearer = HTTPBearer(auto_error=False, description="a token from $STEWARD_API_TOKENS")


def create_app(service: ServiceLike, *, auth: bool, max_reads: int | None = None) -> FastAPI:
    """``max_reads``: database reads at once (default twice the cores); other requests wait."""
    scorecards = ScorecardCache(service.reader)
    ownership = OwnershipCache(service.reader)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        scorecards.warm()  # in the background: the server answers at once
        ownership.warm()
        # the routes still on FastAPI's thread pool (SQL, runs, reports, …): bounded as well
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

    app = FastAPI(
        title="Steward",
        summary="Catalog ownership, readiness scorecards and blast radius for Backstage",
        version="1",
        lifespan=lifespan,
    )
    config = service.config.api
    app.state.service = service
    app.state.scorecards = scorecards
    app.state.ownership = ownership
    app.state.graph = GraphMemo(service)
    app.state.reads = Reads(service, max_reads or default_max_reads())
    tokens = TokenCheck(tokens_from_env(config.tokens_env)) if auth else None
    app.state.tokens = tokens
    metrics = ApiMetrics(service)
    install_problem_handlers(app)
    app.include_router(health_router())
    app.include_router(api_router(), dependencies=[Depends(require_token)])
    app.include_router(
        metrics_router(metrics),
        dependencies=[Depends(require_token)] if config.metrics_auth else [],
    )
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if tokens is not None:
        app.add_middleware(ApiAuth, allows=tokens.allows)
    app.add_middleware(Timing, observe=metrics.observe)
    return app


async def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    check: TokenCheck | None = request.app.state.tokens
    if check is None:
        return
    header = None if credentials is None else f"Bearer {credentials.credentials}"
    if not check.allows(header):
        raise ApiProblem(401, "unauthorized")


def api_router() -> APIRouter:
    """Every ``/api/v1`` route."""
    api = APIRouter(prefix="/api/v1")
    for module in (routes_entities, routes_teams, routes_ops, routes_reports):
        api.include_router(module.router())
    return api


def metrics_router(metrics: ApiMetrics) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/metrics", response_class=Response)
    def prometheus() -> Response:
        """Prometheus text: request latency by route, ingest runs/duration/records/errors and
        last success per source, entities by kind, open gaps by type."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
