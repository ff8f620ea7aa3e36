"""The weekly ownership-gap report, in any week and format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.api.protocol import ServiceLike
from service.reports import IsoWeek, OwnershipGapReport, ReportFormat, build_report, render
from service.reports.render import MEDIA_TYPES


def router() -> APIRouter:
    api = APIRouter(tags=["reports"])

    @api.get(
        "/reports/ownership-gaps",
        response_model=OwnershipGapReport,
        responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
    )
    def ownership_gaps(
        request: Request,
        week: Annotated[
            str | None, Query(description="YYYY-Www (default: the current week so far)")
        ] = None,
        format: Annotated[ReportFormat, Query()] = ReportFormat.json,
    ) -> Any:
        """Per team (rolled up the group tree): gaps new, resolved and still open in the week,
        week-over-week change, an 8-week trend and suggested owners for unowned entities."""
        service: ServiceLike = request.app.state.service
        chosen = IsoWeek.parse(week) if week else IsoWeek.containing(datetime.now(UTC))
        with service.reader() as cur:
            report = build_report(cur, chosen)
        if format is ReportFormat.json:
            return report
        return Response(render(report, format), media_type=MEDIA_TYPES[format])

    return api
