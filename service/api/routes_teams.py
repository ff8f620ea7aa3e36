"""Team routes: scorecard roll-ups along the group tree, and ownership gaps."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from catalog.errors import CatalogError
from catalog.refs import canonical_ref
from scorecards.queries import team_scorecard
from service.api import models
from service.api.ownership_cache import OwnershipCache
from service.api.problems import ApiProblem
from service.api.protocol import ServiceLike
from service.api.reads import JSON, json_response, reads_of
from service.api.refs import path_ref, require_entity
from service.ownership import ownership_gaps

TEAM = "/teams/{namespace}/{name}"
MAX_GAPS = 100_000


def _service(request: Request) -> ServiceLike:
    service: ServiceLike = request.app.state.service
    return service


def _cache(request: Request) -> OwnershipCache:
    cache: OwnershipCache = request.app.state.ownership
    return cache


def _gaps(rows: list[dict[str, Any]], team: str | None, limit: int) -> models.Gaps:
    return models.Gaps(
        team=team,
        count=len(rows),
        by_type=dict(sorted(Counter(r["gap"] for r in rows).items())),
        gaps=[models.Gap(**r) for r in rows[:limit]],
    )


def router() -> APIRouter:
    api = APIRouter(tags=["teams"])

    @api.get(f"{TEAM}/scorecards", response_model=models.TeamScorecards)
    def team_scorecards(namespace: str, name: str, request: Request) -> models.TeamScorecards:
        """Roll-ups for the group and every group below it, and the entities they own."""
        ref = path_ref("group", namespace, name)
        with _service(request).reader() as cur:
            require_entity(cur, ref)
            found = team_scorecard(cur, ref)
            groups = [
                str(r[0])
                for r in cur.execute(
                    "SELECT member_group FROM _group_tree WHERE team = ? ORDER BY 1", [ref]
                ).fetchall()
            ]
        return models.TeamScorecards(
            team=ref,
            groups=groups,
            scorecards=[
                models.TeamScorecardRollup(**{**s, "levels": dict(s["levels"] or {})})
                for s in found["scorecards"]
            ],
            entities=[models.TeamEntityScore(**e) for e in found["entities"]],
        )

    @api.get(f"{TEAM}/gaps", response_model=models.Gaps)
    async def team_gaps(
        namespace: str,
        name: str,
        request: Request,
        limit: Annotated[int, Query(ge=1, le=MAX_GAPS)] = 10_000,
    ) -> Response:
        """Open ownership gaps of the group and every group below it."""
        ref = path_ref("group", namespace, name)
        answer = _cache(request).gaps_json(ref, limit)  # in memory: no thread, no cursor
        if answer is not None:
            return Response(answer, media_type=JSON)

        def read(cur: duckdb.DuckDBPyConnection) -> Response:  # not loaded yet, or unknown
            require_entity(cur, ref)
            return json_response(_gaps(ownership_gaps(cur, team=ref), ref, limit))

        return await reads_of(request).run(read)

    @api.get("/gaps", response_model=models.Gaps)
    async def gaps(
        request: Request,
        team: Annotated[str | None, Query(description="a group ref; its subtree too")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_GAPS)] = 10_000,
    ) -> Response:
        """Open ownership gaps, all or those of one team (``?team=group:default/payments``)."""
        ref = None
        if team is not None:
            try:
                ref = canonical_ref(team.strip(), default_kind="group", default_namespace="default")
            except CatalogError as exc:
                raise ApiProblem(400, f"malformed team ref {team!r}: {exc}") from None
        cache = _cache(request)
        if ref is None:  # every open gap (~33,000 at L, 10,000 answered: ~0.1 s of CPU): on a
            # read slot, not on the event loop that answers every other request
            answer = await reads_of(request).call(lambda: cache.gaps_json(None, limit))
        else:
            answer = cache.gaps_json(ref, limit)
        if answer is not None:
            return Response(answer, media_type=JSON)

        def read(cur: duckdb.DuckDBPyConnection) -> Response:
            if ref is None:
                return json_response(_gaps(ownership_gaps(cur), None, limit))
            require_entity(cur, ref)
            return json_response(_gaps(ownership_gaps(cur, team=ref), ref, limit))

        return await reads_of(request).run(read)

    return api
