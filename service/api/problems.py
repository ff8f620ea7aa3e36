"""Errors as RFC 9457 ``application/problem+json``: one handler per kind of failure.

The body never echoes a secret: 401s say only "unauthorized", 500s only "internal error" (the
exception goes to the log, by type and message, not with request headers).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from catalog.errors import ConfigError, QueryRefused, StewardError, UnknownEntityError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("steward.api")


class ApiProblem(Exception):
    """Raised by route code to answer with a problem document."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(_: Request, exc: ApiProblem) -> JSONResponse:
        return problem(exc.status, exc.detail, **exc.extra)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        same_as_title = detail == HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, None if same_as_title else detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return problem(400, "invalid request", errors=errors)

    @app.exception_handler(UnknownEntityError)
    async def _unknown(_: Request, exc: UnknownEntityError) -> JSONResponse:
        return problem(404, str(exc), ref=exc.ref, suggestions=exc.suggestions)

    @app.exception_handler(QueryRefused)
    async def _refused(_: Request, exc: QueryRefused) -> JSONResponse:
        return problem(400, str(exc))

    @app.exception_handler(ConfigError)
    async def _config(_: Request, exc: ConfigError) -> JSONResponse:
        return problem(400, str(exc))

    @app.exception_handler(StewardError)
    async def _steward(_: Request, exc: StewardError) -> JSONResponse:
        log.warning("request failed: %s: %s", type(exc).__name__, exc)
        return problem(503, str(exc))

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", type(exc).__name__)
        return problem(500, "internal error")
