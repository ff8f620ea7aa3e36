"""The small PagerDuty account these tests serve, and the matching catalog.

The server is ``standins.pagerduty.FakePagerDuty`` (``steward demo`` runs it too); this module
holds the deterministic test fixture and the catalog it maps to.

The fixture's deliberate findings:

* team PTEAMA1 "Alpha Squad" maps to ``group:default/team-a`` by ``pagerduty.com/team-id``;
  PTEAMB2 "Team B" by name; PTEAMX3 "Night Owls" to no Group;
* PSVCA01 -> comp-a (service-id), PSVCB02 -> comp-b (integration key), PSVCU03 unmapped;
* policy PEPOL01 has two levels and someone on call; PEPOL02 one level; PEPOL03's second level
  targets an empty schedule; PEPOL04 (service PSVCU03) has nobody on call;
* comp-c is in production without a service, comp-e names an unknown service, comp-d is
  experimental (no gap).
"""

from __future__ import annotations

from typing import Any

TOKEN = "s3cr3t-pd-token-1234"


def sample_fixture() -> dict[str, Any]:
    users = [
        {"id": "PUSER01", "name": "Ada Lovelace", "email": "ada@example.com", "role": "admin"},
        {"id": "PUSER02", "name": "Bob Builder", "email": "bob@example.com"},
        {"id": "PUSER03", "name": "Cy Twombly", "email": "cy@example.com"},
        {"id": "PUSER04", "name": "Dee Dee", "email": "dee@example.com"},
        {"id": "PUSER05", "name": "Eve Night", "email": "eve@example.com"},
    ]
    teams = [
        {
            "id": "PTEAMA1",
            "name": "Alpha Squad",
            "members": [
                {"user": "PUSER01", "role": "manager"},
                {"user": "PUSER02", "role": "responder"},
            ],
        },
        {"id": "PTEAMB2", "name": "Team B", "members": [{"user": "PUSER03", "role": "manager"}]},
        {
            "id": "PTEAMX3",
            "name": "Night Owls",
            "members": [{"user": "PUSER05", "role": "manager"}],
        },
    ]
    schedules = [
        {"id": "PSCHA01", "name": "Alpha primary", "users": ["PUSER01", "PUSER02"]},
        {"id": "PSCHB02", "name": "B primary", "users": ["PUSER03"]},
        {"id": "PSCHE03", "name": "B backup (unstaffed)", "users": []},
    ]

    def level(*targets: dict[str, str]) -> dict[str, Any]:
        return {"delay": 30, "targets": list(targets)}

    policies = [
        {
            "id": "PEPOL01",
            "name": "Alpha escalation",
            "teams": ["PTEAMA1"],
            "levels": [level({"schedule": "PSCHA01"}), level({"user": "PUSER01"})],
        },
        {
            "id": "PEPOL02",
            "name": "B single",
            "teams": ["PTEAMB2"],
            "levels": [level({"schedule": "PSCHB02"})],
        },
        {
            "id": "PEPOL03",
            "name": "B with empty backup",
            "teams": ["PTEAMB2"],
            "levels": [level({"user": "PUSER03"}), level({"schedule": "PSCHE03"})],
        },
        {
            "id": "PEPOL04",
            "name": "Owls",
            "teams": ["PTEAMX3"],
            "levels": [level({"user": "PUSER05"}), level({"user": "PUSER04"})],
        },
    ]
    services = [
        {"id": "PSVCA01", "name": "comp-a", "escalation_policy": "PEPOL01", "teams": ["PTEAMA1"]},
        {
            "id": "PSVCB02",
            "name": "B events",
            "escalation_policy": "PEPOL02",
            "teams": [],  # no team of its own: the policy's team owns the on-call
            "integrations": [{"id": "PINTB01", "key": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"}],
        },
        {"id": "PSVCB03", "name": "B backup", "escalation_policy": "PEPOL03", "teams": ["PTEAMB2"]},
        {"id": "PSVCU03", "name": "Owl cron", "escalation_policy": "PEPOL04", "teams": ["PTEAMX3"]},
    ]
    oncalls = [
        {"user": "PUSER02", "escalation_policy": "PEPOL01", "level": 1, "schedule": "PSCHA01"},
        {"user": "PUSER01", "escalation_policy": "PEPOL01", "level": 2},
        {"user": "PUSER03", "escalation_policy": "PEPOL02", "level": 1, "schedule": "PSCHB02"},
        {"user": "PUSER03", "escalation_policy": "PEPOL03", "level": 1},
    ]
    return {
        "users": users,
        "teams": teams,
        "schedules": schedules,
        "escalation_policies": policies,
        "services": services,
        "oncalls": oncalls,
    }


def _component(name: str, lifecycle: str, owner: str, annotations: dict[str, str]) -> str:
    notes = "".join(f"    {k}: {v}\n" for k, v in annotations.items())
    block = f"  annotations:\n{notes}" if notes else ""
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{block}"
        f"spec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: {owner}\n"
    )


CATALOG: dict[str, str] = {
    "org/catalog-info.yaml": (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n"
        "  annotations:\n    pagerduty.com/team-id: PTEAMA1\n"
        "spec:\n  type: team\n  children: []\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\n"
        "spec:\n  type: team\n  children: []\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\n"
        "spec:\n  profile:\n    email: ada@example.com\n  memberOf: [team-a]\n"
    ),
    "a/catalog-info.yaml": _component(
        "comp-a", "production", "team-a", {"pagerduty.com/service-id": "PSVCA01"}
    ),
    "b/catalog-info.yaml": _component(
        "comp-b",
        "production",
        "team-b",
        {"pagerduty.com/integration-key": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"},
    )
    + "---\n"
    + _component("comp-b-backup", "production", "team-b", {"pagerduty.com/service-id": "PSVCB03"}),
    "c/catalog-info.yaml": _component("comp-c", "production", "team-a", {}),
    "d/catalog-info.yaml": _component("comp-d", "experimental", "team-a", {}),
    "e/catalog-info.yaml": _component(
        "comp-e", "production", "team-b", {"pagerduty.com/service-id": "PNOPE00"}
    ),
}
