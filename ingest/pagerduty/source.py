"""The ``pagerduty`` source: a full snapshot of one PagerDuty account's on-call set-up.

It reads users, teams (and their members), escalation policies, schedules, services (with
their integrations, for ``pagerduty.com/integration-key``) and the current on-calls, and emits
one row per object. It knows nothing about the catalog: mapping services to components, teams
to Groups, the ``oncall`` claims and the gaps are views over these tables (migration 4).

Objects that lack an ``id`` are reported and skipped (the run degrades, it does not fail); an
unusable response, a rejected token or an endless pagination fails the run and the previous
snapshot stays.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from ingest.pagerduty.client import PagerDutyClient, Params
from ingest.pagerduty.config import PagerDutyConfig
from ingest.pagerduty.records import (
    PD_RECORD_TYPES,
    PdEscalationPolicyRecord,
    PdOncallRecord,
    PdScheduleRecord,
    PdServiceRecord,
    PdTeamMemberRecord,
    PdTeamRecord,
    PdUserRecord,
)
from ingest.records import Record
from ingest.source import SourceContext

Obj = dict[str, Any]


class PagerDutySource:
    type_name: ClassVar[str] = "pagerduty"
    tables: ClassVar[frozenset[str]] = frozenset(t.table() for t in PD_RECORD_TYPES)

    def __init__(
        self,
        config: PagerDutyConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._transport = transport
        self._sleep = sleep

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        label = f"pagerduty source {ctx.name!r}"
        records: list[Record] = []
        with PagerDutyClient(
            self.config, label=label, transport=self._transport, sleep=self._sleep
        ) as client:
            reader = _Reader(client, ctx)
            records.extend(_users(reader.objects("/users", "users")))
            teams = list(_teams(reader.objects("/teams", "teams")))
            records.extend(teams)
            if self.config.include_team_members:
                # one list per team: requested concurrently, checked and kept in team order
                paths = [f"/teams/{team.id}/members" for team in teams]
                fetched = client.map(lambda path: list(client.pages(path, "members")), paths)
                for team, path, pages in zip(teams, paths, fetched, strict=True):
                    members = reader.objects(path, "members", ids=False, pages=pages)
                    records.extend(_members(team.id, members))
            records.extend(_policies(reader.objects("/escalation_policies", "escalation_policies")))
            records.extend(_schedules(reader.objects("/schedules", "schedules")))
            services = reader.objects("/services", "services", [("include[]", "integrations")])
            records.extend(_services(services))
            records.extend(_oncalls(reader.objects("/oncalls", "oncalls", ids=False), ctx))
            ctx.report.counts["requests"] = client.requests
        for record in records:
            ctx.report.counts[type(record).table()] += 1
        digest = hashlib.sha256()
        for line in sorted(json.dumps(list(r), default=str) for r in records):
            digest.update(line.encode())
            digest.update(b"\n")
        ctx.report.fingerprint = digest.hexdigest()
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            return []
        return records


class _Reader:
    """Walks a list endpoint, reporting objects it has to skip."""

    def __init__(self, client: PagerDutyClient, ctx: SourceContext) -> None:
        self.client = client
        self.ctx = ctx

    def objects(
        self,
        path: str,
        key: str,
        params: Params = (),
        *,
        ids: bool = True,
        pages: Iterable[list[Any]] | None = None,
    ) -> list[Obj]:
        """The objects of every page (``pages``, or read now), skipping what is unusable."""
        kept: list[Obj] = []
        walk = self.client.pages(path, key, params) if pages is None else pages
        for number, page in enumerate(walk, start=1):
            for index, item in enumerate(page):
                if not isinstance(item, dict) or (ids and not _str(item.get("id"))):
                    what = "an object without an id" if isinstance(item, dict) else "not an object"
                    self.ctx.report.error(
                        f"{self.client.label}: {path} page {number} item {index} is {what}; skipped"
                    )
                    continue
                kept.append(item)
            self.ctx.progress(len(page), None)
        return kept


def _users(items: list[Obj]) -> Iterator[PdUserRecord]:
    for u in items:
        name = _str(u.get("name")) or _str(u.get("summary")) or u["id"]
        yield PdUserRecord(u["id"], name, _str(u.get("email")), _str(u.get("role")), _url(u))


def _teams(items: list[Obj]) -> Iterator[PdTeamRecord]:
    for t in items:
        name = _str(t.get("name")) or _str(t.get("summary")) or t["id"]
        yield PdTeamRecord(t["id"], name, _str(t.get("description")), _url(t))


def _members(team_id: str, items: list[Obj]) -> Iterator[PdTeamMemberRecord]:
    for m in items:
        user_id = _ref_id(m.get("user"))
        if user_id:
            yield PdTeamMemberRecord(team_id, user_id, _str(m.get("role")))


def _policies(items: list[Obj]) -> Iterator[PdEscalationPolicyRecord]:
    for p in items:
        rules = p.get("escalation_rules")
        levels: list[Obj] = []
        for number, rule in enumerate(rules if isinstance(rules, list) else [], start=1):
            if not isinstance(rule, dict):
                continue
            targets = rule.get("targets")
            delay = rule.get("escalation_delay_in_minutes")
            levels.append(
                {
                    "level": number,
                    "rule_id": _str(rule.get("id")),
                    "delay_minutes": delay if isinstance(delay, int) else None,
                    "targets": [
                        {"type": _str(t.get("type")), "id": t["id"]}
                        for t in (targets if isinstance(targets, list) else [])
                        if isinstance(t, dict) and _str(t.get("id"))
                    ],
                }
            )
        loops = p.get("num_loops")
        yield PdEscalationPolicyRecord(
            id=p["id"],
            name=_str(p.get("name")) or _str(p.get("summary")) or p["id"],
            num_loops=loops if isinstance(loops, int) else None,
            team_ids=_ref_ids(p.get("teams")),
            level_count=len(levels),
            levels=levels,
            html_url=_url(p),
        )


def _schedules(items: list[Obj]) -> Iterator[PdScheduleRecord]:
    for s in items:
        yield PdScheduleRecord(
            id=s["id"],
            name=_str(s.get("name")) or _str(s.get("summary")) or s["id"],
            time_zone=_str(s.get("time_zone")),
            user_ids=_ref_ids(s.get("users")),
            escalation_policy_ids=_ref_ids(s.get("escalation_policies")),
            html_url=_url(s),
        )


def _services(items: list[Obj]) -> Iterator[PdServiceRecord]:
    for s in items:
        integrations = s.get("integrations")
        integrations = integrations if isinstance(integrations, list) else []
        yield PdServiceRecord(
            id=s["id"],
            name=_str(s.get("name")) or _str(s.get("summary")) or s["id"],
            status=_str(s.get("status")),
            description=_str(s.get("description")),
            escalation_policy_id=_ref_id(s.get("escalation_policy")),
            team_ids=_ref_ids(s.get("teams")),
            integration_ids=_ref_ids(integrations),
            # a full integration object (include[]=integrations) carries its routing key
            integration_keys=sorted(
                {
                    key
                    for i in integrations
                    if isinstance(i, dict) and (key := _str(i.get("integration_key")))
                }
            ),
            html_url=_url(s),
        )


def _oncalls(items: list[Obj], ctx: SourceContext) -> Iterator[PdOncallRecord]:
    for o in items:
        user = o.get("user")
        user_id = _ref_id(user)
        policy_id = _ref_id(o.get("escalation_policy"))
        if not user_id or not policy_id:
            ctx.report.warn("/oncalls: an on-call without a user or escalation policy; skipped")
            continue
        level = o.get("escalation_level")
        yield PdOncallRecord(
            user_id=user_id,
            user_name=_str(user.get("summary")) if isinstance(user, dict) else None,
            escalation_policy_id=policy_id,
            escalation_level=level if isinstance(level, int) else None,
            schedule_id=_ref_id(o.get("schedule")),
            starts_at=_time(o.get("start")),
            ends_at=_time(o.get("end")),
        )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _url(obj: Obj) -> str | None:
    return _str(obj.get("html_url"))


def _ref_id(value: object) -> str | None:
    return _str(value.get("id")) if isinstance(value, dict) else None


def _ref_ids(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [i for v in value if (i := _ref_id(v))]


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
