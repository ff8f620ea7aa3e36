"""GET /api/v1/reports/ownership-gaps in every format."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from service.reports import IsoWeek

URL = "/api/v1/reports/ownership-gaps"


def test_report_formats(client: TestClient) -> None:
    week = str(IsoWeek.containing(datetime.now(UTC)))
    data = client.get(URL).json()
    assert data["week"] == week and data["partial"] is True
    assert data["totals"]["open"] == client.get("/api/v1/gaps").json()["count"]
    assert data["totals"]["new"] == data["totals"]["open"]  # everything was seen this week
    teams = {t["team"] for t in data["teams"]}
    assert {"group:default/acme", "group:default/team-fraud"} <= teams
    assert len(data["trend"]) == 8 and data["trend"][-1]["week"] == week
    suggested = {s["subject"]: s for s in data["suggestions"]}
    ghost = suggested["component:default/shipping-rates-service"]
    assert ghost["suggestions"][0]["owner"] == "group:default/team-checkout"
    md = client.get(URL, params={"format": "md", "week": week})
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith(f"# Ownership gaps, week {week} (so far)")
    html = client.get(URL, params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "<svg" in html.text
    quiet = client.get(URL, params={"format": "md", "week": "2020-W10"})
    assert quiet.text == "Ownership gaps 2020-W10: no change — 0 still open (same as last week).\n"


def test_bad_week_and_format(client: TestClient) -> None:
    bad = client.get(URL, params={"week": "2026-W99"})
    assert bad.status_code == 400 and "2026 has no week 99" in bad.json()["detail"]
    assert client.get(URL, params={"format": "pdf"}).status_code == 400
