"""Steward's HTTP API (FastAPI): the contract is the "HTTP API" section of DESIGN.md.

``create_app`` is imported lazily so that ``service.api.models`` (shared with the CLI's gate
and the reports) loads without FastAPI's routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from service.api.protocol import ServiceLike


def create_app(service: ServiceLike, *, auth: bool) -> FastAPI:
    from service.api.app import create_app as create

    return create(service, auth=auth)


__all__ = ["create_app"]
