"""Entity routes: scorecards, ownership, blast radius, the readiness gate."""

from __future__ import annotations

from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from graph import blast_radius
from service.api import models
from service.api.entity_reads import entity_ownership
from service.api.graph_memo import GraphMemo
from service.api.ownership_cache import OwnershipCache
from service.api.problems import ApiProblem
from service.api.protocol import ServiceLike
from service.api.reads import JSON, json_response, reads_of
from service.api.refs import path_ref, require_entity
from service.api.scorecard_cache import ScorecardCache
from service.gate import NotInScope, UnknownScorecard, evaluate_gate

ENTITY = "/entities/{kind}/{namespace}/{name}"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown entity (with close refs)"}
}


def _service(request: Request) -> ServiceLike:
    service: ServiceLike = request.app.state.service
    return service


def router() -> APIRouter:
    api = APIRouter(tags=["entities"])

    @api.get(f"{ENTITY}/scorecards", response_model=models.EntityScorecards, responses=NOT_FOUND)
    async def scorecards(kind: str, namespace: str, name: str, request: Request) -> Response:
        """Every scorecard's level, score, checks (state, evidence, weight, exemption) and
        history for the entity."""
        ref = path_ref(kind, namespace, name)
        cache: ScorecardCache = request.app.state.scorecards
        ready, answer = cache.peek_json(ref)  # in memory: no thread, no cursor
        if answer is not None:
            return Response(answer, media_type=JSON)
        found = None
        if not ready:
            found = await reads_of(request).run(lambda cur: cache.lookup(cur, ref))
        if found is None:  # not rated by any scorecard: does it exist at all?
            known = await reads_of(request).run(lambda cur: require_entity(cur, ref))
            found = models.EntityScorecards(ref=known, scorecards=[])
        return json_response(found)

    @api.get(f"{ENTITY}/ownership", response_model=models.EntityOwnership, responses=NOT_FOUND)
    async def ownership(kind: str, namespace: str, name: str, request: Request) -> Response:
        """The resolved owner, every source's claim with evidence, conflicts, gaps, on-call."""
        ref = path_ref(kind, namespace, name)
        cache: OwnershipCache = request.app.state.ownership
        answer = cache.ownership_json(ref)  # in memory: no thread, no cursor
        if answer is not None:
            return Response(answer, media_type=JSON)

        def read(cur: duckdb.DuckDBPyConnection) -> Response:  # not loaded yet, or unknown
            return json_response(entity_ownership(cur, require_entity(cur, ref)))

        return await reads_of(request).run(read)

    @api.get(f"{ENTITY}/blast-radius", response_model=models.BlastRadius, responses=NOT_FOUND)
    async def blast(
        kind: str,
        namespace: str,
        name: str,
        request: Request,
        depth: Annotated[int | None, Query(ge=0, le=100)] = None,
    ) -> Response:
        """Everything impacted if the entity fails (transitive dependents), with owners,
        on-call and readiness per impacted entity."""
        ref = path_ref(kind, namespace, name)
        memo: GraphMemo = request.app.state.graph
        graph = memo.peek()  # the graph in memory; a newer one is checked for in the background
        if graph is None:
            graph = await reads_of(request).call(memo.get)
        if ref not in graph.ids:
            await reads_of(request).run(lambda cur: require_entity(cur, ref))
        return json_response(
            models.BlastRadius.model_validate(blast_radius(graph, ref, depth=depth).to_json())
        )

    @api.get(
        "/gate/{kind}/{namespace}/{name}",
        response_model=models.GateResult,
        response_model_by_alias=True,
        responses={**NOT_FOUND, 400: {"description": "unknown level or entity not in scope"}},
    )
    def gate(
        kind: str,
        namespace: str,
        name: str,
        request: Request,
        scorecard: Annotated[str, Query(min_length=1, max_length=200)],
        min_level: Annotated[str, Query(min_length=1, max_length=200)],
    ) -> models.GateResult:
        """Readiness gate for CI and deploy pipelines: ``pass`` is true when the entity is at
        or above ``min_level`` in the scorecard's latest run; failing checks carry evidence."""
        ref = path_ref(kind, namespace, name)
        with _service(request).reader() as cur:
            require_entity(cur, ref)
            try:
                return evaluate_gate(cur, ref, scorecard, min_level)
            except UnknownScorecard as exc:
                raise ApiProblem(404, str(exc), suggestions=exc.suggestions) from None
            except NotInScope as exc:
                raise ApiProblem(400, str(exc)) from None

    return api
