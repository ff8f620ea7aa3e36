"""The FastAPI application: ``create_app(service, auth=...)``; uvicorn runs it in ``steward serve``.

Routes are thin: each reads through ``service.reader()`` (its own cursor, never waiting for an
ingest) or ``service.graph()``, and answers with a pydantic model so ``/docs`` shows the exact
schema. Every ``/api/`` route needs a bearer token unless ``auth=False`` (``steward demo``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.auth import TokenCheck, tokens_from_env
from service.api.health import health_router
from service.api.problems import ApiProblem, install_problem_handlers
from service.api.protocol import ServiceLike

_bearer = HTTPBearer(auto_error=False, description="a token from $STEWARD_API_TOKENS")


def create_app(service: ServiceLike, *, auth: bool) -> FastAPI:
    app = FastAPI(
        title="Steward",
        summary="Catalog ownership, readiness scorecards and blast radius for Backstage",
        version="1",
    )
    app.state.service = service
    app.state.tokens = TokenCheck(tokens_from_env(service.config.api.tokens_env)) if auth else None
    install_problem_handlers(app)
    app.include_router(health_router())
    app.include_router(api_router(), dependencies=[Depends(require_token)])
    return app


def require_token(
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
    """Every ``/api/v1`` route (added module by module)."""
    return APIRouter(prefix="/api/v1")
