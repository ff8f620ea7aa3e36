"""A local stand-in for the PagerDuty REST API: serves a fixture the way PagerDuty does.

Used by ``steward demo`` (no account needed), the tests (behind Stoplight Prism, which checks
every exchange against PagerDuty's OpenAPI document) and the benchmark. It answers the list
operations the source reads with classic ``offset``/``limit``/``more`` pagination, checks the
``Authorization: Token token=…`` header, and can misbehave on request (``Fault``).

The fixture is compact JSON (``examples/pagerduty/fixture.json`` is one)::

    {"users": [{"id", "name", "email", "role"?}],
     "teams": [{"id", "name", "description"?, "members": [{"user": id, "role"}]}],
     "schedules": [{"id", "name", "users": [id], "time_zone"?}],
     "escalation_policies": [{"id", "name", "teams": [id], "num_loops"?,
                              "levels": [{"delay": 30, "targets": [{"user"|"schedule": id}]}]}],
     "services": [{"id", "name", "status"?, "escalation_policy": id, "teams": [id],
                   "description"?, "integrations": [{"id", "key"}]}],
     "oncalls": [{"user": id, "escalation_policy": id, "level": 1, "schedule"?: id}]}

and is rendered once into PagerDuty's objects (references with ``type``/``summary``/``self``/
``html_url``). Integrations are returned as ``IntegrationReference`` objects, as the spec
declares them, and carry ``integration_key`` only when asked with ``include[]=integrations``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standins.server import LOCALHOST, LocalServer

Obj = dict[str, Any]
API = "https://api.pagerduty.com"
WEB = "https://acme.pagerduty.com"
WINDOW = 10_000


@dataclass
class Fault:
    """Misbehaviour for requests to ``path`` (``"*"``: any path), ``times`` times (-1: always).

    kind ``status``: answer ``status`` with PagerDuty's error body and ``headers``;
    ``slow``: wait ``delay`` seconds, then answer normally; ``malformed``: 200 with broken JSON;
    ``endless``: answer normally but always say ``more: true`` (the page repeats past the end).
    """

    path: str
    kind: str = "status"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int = 1


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    accept: str | None


def _ref(kind: str, obj_id: str, summary: str, web: str) -> Obj:
    return {
        "id": obj_id,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{kind}s/{obj_id}",
        "html_url": f"{WEB}/{web}/{obj_id}",
    }


class Fixture:
    """The compact fixture rendered into PagerDuty objects, ready to page through."""

    def __init__(self, data: Obj, *, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC).replace(microsecond=0)
        users = {u["id"]: u for u in data.get("users", [])}
        teams = {t["id"]: t for t in data.get("teams", [])}
        schedules = {s["id"]: s for s in data.get("schedules", [])}
        policies = {p["id"]: p for p in data.get("escalation_policies", [])}

        def user_ref(uid: str) -> Obj:
            return _ref("user", uid, users[uid]["name"] if uid in users else uid, "users")

        def team_ref(tid: str) -> Obj:
            return _ref("team", tid, teams[tid]["name"] if tid in teams else tid, "teams")

        def policy_ref(pid: str) -> Obj:
            name = policies[pid]["name"] if pid in policies else pid
            return _ref("escalation_policy", pid, name, "escalation_policies")

        def schedule_ref(sid: str) -> Obj:
            name = schedules[sid]["name"] if sid in schedules else sid
            return _ref("schedule", sid, name, "schedules")

        self.users = [
            {
                "id": u["id"],
                "type": "user",
                "summary": u["name"],
                "name": u["name"],
                "email": u["email"],
                "time_zone": u.get("time_zone", "Europe/London"),
                "role": u.get("role", "user"),
                "self": f"{API}/users/{u['id']}",
                "html_url": f"{WEB}/users/{u['id']}",
            }
            for u in users.values()
        ]
        self.teams = [
            {
                "id": t["id"],
                "type": "team",
                "summary": t["name"],
                "name": t["name"],
                "description": t.get("description", ""),
                "self": f"{API}/teams/{t['id']}",
                "html_url": f"{WEB}/teams/{t['id']}",
            }
            for t in teams.values()
        ]
        self.members = {
            t["id"]: [
                {"user": user_ref(m["user"]), "role": m["role"]} for m in t.get("members", [])
            ]
            for t in teams.values()
        }
        services = data.get("services", [])
        policy_services: dict[str, list[Obj]] = {}
        for s in services:
            policy_services.setdefault(s["escalation_policy"], []).append(
                _ref("service", s["id"], s["name"], "service-directory")
            )
        schedule_policies: dict[str, list[Obj]] = {}
        self.escalation_policies = []
        for p in policies.values():
            rules = []
            for number, level in enumerate(p["levels"], start=1):
                targets = []
                for target in level["targets"]:
                    if "user" in target:
                        targets.append(user_ref(target["user"]))
                    else:
                        targets.append(schedule_ref(target["schedule"]))
                        schedule_policies.setdefault(target["schedule"], []).append(
                            policy_ref(p["id"])
                        )
                rules.append(
                    {
                        "id": f"R{p['id'][1:]}{number}",
                        "escalation_delay_in_minutes": level.get("delay", 30),
                        "targets": targets,
                    }
                )
            self.escalation_policies.append(
                {
                    "id": p["id"],
                    "type": "escalation_policy",
                    "summary": p["name"],
                    "name": p["name"],
                    "num_loops": p.get("num_loops", 0),
                    "on_call_handoff_notifications": "if_has_services",
                    "escalation_rules": rules,
                    "services": policy_services.get(p["id"], []),
                    "teams": [team_ref(t) for t in p.get("teams", [])],
                    "self": f"{API}/escalation_policies/{p['id']}",
                    "html_url": f"{WEB}/escalation_policies/{p['id']}",
                }
            )
        self.schedules = [
            {
                "id": s["id"],
                "type": "schedule",
                "summary": s["name"],
                "name": s["name"],
                "time_zone": s.get("time_zone", "Europe/London"),
                "description": s.get("description", ""),
                "users": [user_ref(u) for u in s.get("users", [])],
                "escalation_policies": schedule_policies.get(s["id"], []),
                "self": f"{API}/schedules/{s['id']}",
                "html_url": f"{WEB}/schedules/{s['id']}",
            }
            for s in schedules.values()
        ]
        created = "2024-01-15T09:00:00Z"
        self.services = [
            {
                "id": s["id"],
                "type": "service",
                "summary": s["name"],
                "name": s["name"],
                "description": s.get("description", ""),
                "status": s.get("status", "active"),
                "created_at": created,
                "auto_resolve_timeout": 14400,
                "acknowledgement_timeout": 600,
                "alert_creation": "create_alerts_and_incidents",
                "escalation_policy": policy_ref(s["escalation_policy"]),
                "teams": [team_ref(t) for t in s.get("teams", [])],
                "integrations": [
                    {
                        **_ref("inbound_integration", i["id"], "Events API v2", "integrations"),
                        "type": "events_api_v2_inbound_integration_reference",
                        "self": f"{API}/services/{s['id']}/integrations/{i['id']}",
                        "html_url": f"{WEB}/services/{s['id']}/integrations/{i['id']}",
                        "integration_key": i["key"],
                    }
                    for i in s.get("integrations", [])
                ],
                "self": f"{API}/services/{s['id']}",
                "html_url": f"{WEB}/service-directory/{s['id']}",
            }
            for s in services
        ]
        start = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
        end = (now + timedelta(days=6)).isoformat().replace("+00:00", "Z")
        self.oncalls = []
        for o in data.get("oncalls", []):
            oncall: Obj = {
                "escalation_policy": policy_ref(o["escalation_policy"]),
                "escalation_level": o.get("level", 1),
                "user": user_ref(o["user"]),
                "start": start,
                "end": end,
            }
            if o.get("schedule"):
                oncall["schedule"] = schedule_ref(o["schedule"])
            self.oncalls.append(oncall)

    def lists(self) -> dict[str, tuple[str, list[Obj]]]:
        return {
            "/users": ("users", self.users),
            "/teams": ("teams", self.teams),
            "/escalation_policies": ("escalation_policies", self.escalation_policies),
            "/schedules": ("schedules", self.schedules),
            "/services": ("services", self.services),
            "/oncalls": ("oncalls", self.oncalls),
        }


def _strip_keys(service: Obj) -> Obj:
    integrations = [
        {k: v for k, v in i.items() if k != "integration_key"} for i in service["integrations"]
    ]
    return {**service, "integrations": integrations}


class FakePagerDuty(LocalServer):
    """A threaded HTTP server on ``host`` (port 0: a free one) serving ``fixture``.

    ``token`` None accepts any token (the demo); otherwise ``Token token=<token>`` is required.
    Use as a context manager, or ``start()`` / ``close()``.
    """

    def __init__(
        self,
        fixture: Obj | Fixture,
        *,
        token: str | None = "test-token",
        host: str = LOCALHOST,
        port: int = 0,
    ) -> None:
        self.fixture = fixture if isinstance(fixture, Fixture) else Fixture(fixture)
        self.token = token
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._lists = self.fixture.lists()
        super().__init__(_handler_for(self), host=host, port=port)

    def load(self, fixture: Obj | Fixture) -> None:
        """Serve another fixture from now on; forget faults and recorded requests."""
        self.fixture = fixture if isinstance(fixture, Fixture) else Fixture(fixture)
        with self._lock:
            self._lists = self.fixture.lists()
            self.faults.clear()
            self.seen.clear()

    # -- request handling (called from the handler threads) ----------------------------------
    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path in ("*", path) and fault.times != 0:
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    def answer(self, path: str, query: dict[str, list[str]], endless: bool) -> tuple[int, Obj]:
        if path.startswith("/teams/") and path.endswith("/members"):
            team_id = path[len("/teams/") : -len("/members")]
            if team_id not in self.fixture.members:
                return 404, _error(404, "Not Found", 2100)
            return self._page("members", self.fixture.members[team_id], query, endless)
        if path not in self._lists:
            return 404, _error(404, "Not Found", 2100)
        key, items = self._lists[path]
        if key == "services" and "integrations" not in query.get("include[]", []):
            items = [_strip_keys(s) for s in items]
        return self._page(key, items, query, endless)

    @staticmethod
    def _page(
        key: str, items: list[Obj], query: dict[str, list[str]], endless: bool
    ) -> tuple[int, Obj]:
        try:
            limit = min(100, int(query.get("limit", ["25"])[0]))
            offset = int(query.get("offset", ["0"])[0])
        except ValueError:
            return 400, _error(400, "Invalid Input Provided", 2001, ["limit/offset not integers"])
        if limit < 1 or offset < 0:
            return 400, _error(400, "Invalid Input Provided", 2001, ["bad limit or offset"])
        if offset + limit > WINDOW:
            return 400, _error(
                400, "Invalid Input Provided", 2001, ["Offset+limit must be less than 10000"]
            )
        page = items[offset : offset + limit]
        if endless and not page and items:
            page = items[-limit:]
        more = endless or offset + limit < len(items)
        total = len(items) if query.get("total", ["false"])[0] == "true" else None
        return 200, {key: page, "limit": limit, "offset": offset, "more": more, "total": total}


def _error(status: int, message: str, code: int, errors: list[str] | None = None) -> Obj:
    body: Obj = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return {"error": body}


def _handler_for(server: FakePagerDuty) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            auth = self.headers.get("Authorization")
            server.seen.append(Seen(parts.path, query, auth, self.headers.get("Accept")))
            fault = server.take_fault(parts.path)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            if server.token is None:
                ok = auth is not None and auth.startswith("Token token=") and len(auth) > 12
            else:
                ok = auth == f"Token token={server.token}"
            if not ok:
                return self._send(401, json.dumps(_error(401, "Authentication required", 2006)))
            if fault is not None and fault.kind == "status":
                body = json.dumps(_error(fault.status, "Injected fault", 2000 + fault.status))
                return self._send(fault.status, body, fault.headers)
            if fault is not None and fault.kind == "malformed":
                return self._send(200, '{"services": [{"id": "PBROKEN", ')
            endless = fault is not None and fault.kind == "endless"
            status, answer = server.answer(parts.path, query, endless)
            return self._send(status, json.dumps(answer))

        def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")  # Prism's proxy dislikes kept-alive sockets
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a timeout test); nothing to answer
                self.close_connection = True

    return Handler


def load_fixture(path: Path) -> Obj:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a PagerDuty fixture is a JSON object")
    return data


def start_demo_pagerduty(
    fixture_path: Path | str, *, token: str | None = None
) -> tuple[FakePagerDuty, str]:
    """Serve ``fixture_path`` on 127.0.0.1 (a free port) for ``steward demo``; returns the
    running server (``close()`` it) and its base URL for ``sources.<name>.base_url``."""
    server = FakePagerDuty(load_fixture(Path(fixture_path)), token=token).start()
    return server, server.base_url
