"""The weekly ownership-gap report (filled in with service/reports)."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter(tags=["reports"])
