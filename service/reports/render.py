"""The report as Markdown, self-contained HTML (inline CSS and an SVG trend chart, no
JavaScript, nothing fetched) or JSON. A week without change is one line in every text form."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from service.reports.model import GapItem, OwnershipGapReport, TeamSection, TrendPoint


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


MEDIA_TYPES = {
    ReportFormat.md: "text/markdown; charset=utf-8",
    ReportFormat.html: "text/html; charset=utf-8",
    ReportFormat.json: "application/json",
}


def render(report: OwnershipGapReport, fmt: ReportFormat) -> str:
    if fmt is ReportFormat.json:
        return report.model_dump_json(indent=2) + "\n"
    if fmt is ReportFormat.md:
        return to_markdown(report)
    return to_html(report)


def _team(team: str | None) -> str:
    return team or "(no team)"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


# -- Markdown ---------------------------------------------------------------------------------
def to_markdown(report: OwnershipGapReport) -> str:
    if report.no_change:
        return report.headline() + "\n"
    lines = [
        f"# Ownership gaps, week {report.week}" + (" (so far)" if report.partial else ""),
        "",
        report.headline(),
        "",
        "| team | open | new | resolved | vs last week |",
        "|---|---:|---:|---:|---:|",
    ]
    for section in [*report.teams, report.unassigned]:
        c = section.rollup
        if section.team is None and not (c.open or c.new or c.resolved):
            continue
        lines.append(
            f"| {_team(section.team)} | {c.open} | {c.new} | {c.resolved} | {_signed(c.change)} |"
        )
    lines += ["", "Trend (open at the end of each week): " + _sparkline(report.trend), ""]
    for section in [*report.teams, report.unassigned]:
        if not (section.new or section.resolved or section.open):
            continue
        lines += [f"## {_team(section.team)}", ""]
        for title, items in (
            ("New", section.new),
            ("Resolved", section.resolved),
            ("Still open", section.open),
        ):
            if items:
                lines.append(f"**{title}**")
                lines += [_md_item(g, aged=title == "Still open") for g in items]
                lines.append("")
    if report.suggestions:
        lines += ["## Suggested owners", ""]
        for s in report.suggestions:
            if not s.suggestions:
                lines.append(f"- `{s.subject}` ({s.gap}): no evidence for an owner")
                continue
            best = s.suggestions[0]
            lines.append(f"- `{s.subject}` ({s.gap}): **{best.owner}** (score {best.score:g})")
            lines += [f"  - {e.kind}: {e.detail}" for e in best.evidence]
            for other in s.suggestions[1:]:
                lines.append(f"  - or {other.owner} (score {other.score:g})")
        lines.append("")
    return "\n".join(lines)


def _md_item(g: GapItem, *, aged: bool) -> str:
    age = f", open {g.age_days} d" if aged else ""
    return f"- `{g.subject}` {g.gap}: {g.detail}{age}"


def _sparkline(trend: list[TrendPoint]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    top = max((p.open for p in trend), default=0) or 1
    return " ".join(f"{p.week[-3:]} {bars[round(p.open / top * 7)]} {p.open}" for p in trend)


# -- HTML ------------------------------------------------------------------------------------
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2328;
margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.75rem 0 .5rem;
border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.lead{font-size:1.05rem;margin:.25rem 0 1rem}.muted{color:#656d76}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#cf222e}.down{color:#1a7f37}code{font-size:.9em;background:#f6f8fa;
padding:.05rem .25rem;border-radius:3px}.tag{display:inline-block;font-size:.8em;
padding:0 .4rem;border-radius:9px;background:#ddf4ff;color:#0969da}
.cards{display:flex;gap:1rem;margin:1rem 0}.card{flex:1;border:1px solid #d0d7de;
border-radius:6px;padding:.6rem .8rem}.card b{font-size:1.4rem;display:block}
"""


def to_html(report: OwnershipGapReport) -> str:
    title = f"Ownership gaps, week {report.week}"
    if report.no_change:
        body = f"<p class='lead'>{escape(report.headline())}</p>"
        return _page(title, body)
    t = report.totals
    change_class = "up" if report.change > 0 else "down" if report.change < 0 else ""
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='muted'>{report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}"
        + (" (so far)" if report.partial else "")
        + f" · generated {report.generated_at:%Y-%m-%d %H:%M} UTC</p>",
        f"<p class='lead'>{escape(report.headline())}</p>",
        "<div class='cards'>"
        f"<div class='card'>open<b>{t.open}</b></div>"
        f"<div class='card'>new<b>{t.new}</b></div>"
        f"<div class='card'>resolved<b>{t.resolved}</b></div>"
        f"<div class='card'>vs last week<b class='{change_class}'>{_signed(report.change)}</b>"
        "</div></div>",
        "<h2>Trend, last 8 weeks</h2>",
        trend_svg(report.trend),
        "<h2>Per team (rolled up the group tree)</h2>",
        _team_table(report),
    ]
    for section in [*report.teams, report.unassigned]:
        if section.new or section.resolved or section.open:
            parts.append(_team_detail(section))
    if report.suggestions:
        parts.append("<h2>Suggested owners</h2>")
        parts.append(_suggestions_table(report))
    return _page(title, "\n".join(parts))


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def _depth(section: TeamSection, parents: dict[str, str | None]) -> int:
    depth, team = 0, section.parent
    while team is not None and depth < 20:
        depth, team = depth + 1, parents.get(team)
    return depth


def _team_table(report: OwnershipGapReport) -> str:
    parents = {s.team: s.parent for s in report.teams if s.team}
    rows = []
    for section in [*report.teams, report.unassigned]:
        c = section.rollup
        if section.team is None and not (c.open or c.new or c.resolved):
            continue
        indent = "&nbsp;" * 4 * _depth(section, parents)
        cls = "up" if c.change > 0 else "down" if c.change < 0 else ""
        rows.append(
            f"<tr><td>{indent}{escape(_team(section.team))}</td><td class='n'>{c.open}</td>"
            f"<td class='n'>{c.new}</td><td class='n'>{c.resolved}</td>"
            f"<td class='n {cls}'>{_signed(c.change)}</td></tr>"
        )
    return (
        "<table><tr><th>team</th><th class='n'>open</th><th class='n'>new</th>"
        "<th class='n'>resolved</th><th class='n'>vs last week</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _team_detail(section: TeamSection) -> str:
    out = [f"<h2>{escape(_team(section.team))}</h2><table>"]
    out.append(
        "<tr><th>status</th><th>subject</th><th>gap</th><th>detail</th><th class='n'>age</th></tr>"
    )
    for status, items in (
        ("new", section.new),
        ("resolved", section.resolved),
        ("open", section.open),
    ):
        for g in items:
            out.append(
                f"<tr><td><span class='tag'>{status}</span></td><td><code>{escape(g.subject)}"
                f"</code></td><td>{escape(g.gap)}</td><td>{escape(g.detail)}</td>"
                f"<td class='n'>{g.age_days} d</td></tr>"
            )
    out.append("</table>")
    return "".join(out)


def _suggestions_table(report: OwnershipGapReport) -> str:
    rows = []
    for s in report.suggestions:
        if s.suggestions:
            best = s.suggestions[0]
            evidence = "<br>".join(escape(f"{e.kind}: {e.detail}") for e in best.evidence)
            others = ", ".join(escape(f"{o.owner} ({o.score:g})") for o in s.suggestions[1:])
            owner = f"<b>{escape(best.owner)}</b> ({best.score:g})" + (
                f"<br><span class='muted'>or {others}</span>" if others else ""
            )
        else:
            evidence, owner = "", "<span class='muted'>no evidence</span>"
        rows.append(
            f"<tr><td><code>{escape(s.subject)}</code><br><span class='muted'>"
            f"{escape(s.gap)}</span></td><td>{owner}</td><td>{evidence}</td></tr>"
        )
    return (
        "<table><tr><th>gap</th><th>suggested owner</th><th>evidence</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def trend_svg(trend: list[TrendPoint], width: int = 640, height: int = 200) -> str:
    """Open gaps at the end of each week as a line, new and resolved as bars."""
    left, right, top, bottom = 40, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([p.open for p in trend] + [p.new for p in trend] + [p.resolved for p in trend] + [1])
    step = plot_w / max(len(trend), 1)

    def y(value: int) -> float:
        return top + plot_h - value / peak * plot_h

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='open gaps per week'>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - right}' y2='{top + plot_h}' "
        "stroke='#d0d7de'/>",
        f"<text x='{left - 6}' y='{top + 4}' text-anchor='end' font-size='11' "
        f"fill='#656d76'>{peak}</text>",
        f"<text x='{left - 6}' y='{top + plot_h}' text-anchor='end' font-size='11' "
        "fill='#656d76'>0</text>",
    ]
    points = []
    for i, p in enumerate(trend):
        x = left + step * i + step / 2
        bar = step / 5
        parts.append(
            f"<rect x='{x - bar - 1:.1f}' y='{y(p.new):.1f}' width='{bar:.1f}' "
            f"height='{top + plot_h - y(p.new):.1f}' fill='#fa4549'><title>{p.week}: "
            f"{p.new} new</title></rect>"
        )
        parts.append(
            f"<rect x='{x + 1:.1f}' y='{y(p.resolved):.1f}' width='{bar:.1f}' "
            f"height='{top + plot_h - y(p.resolved):.1f}' fill='#2da44e'><title>{p.week}: "
            f"{p.resolved} resolved</title></rect>"
        )
        parts.append(
            f"<text x='{x:.1f}' y='{height - 10}' text-anchor='middle' font-size='11' "
            f"fill='#656d76'>{p.week[-3:]}</text>"
        )
        points.append(f"{x:.1f},{y(p.open):.1f}")
    parts.append(
        f"<polyline points='{' '.join(points)}' fill='none' stroke='#0969da' stroke-width='2'/>"
    )
    for point, p in zip(points, trend, strict=True):
        cx, cy = point.split(",")
        parts.append(
            f"<circle cx='{cx}' cy='{cy}' r='3' fill='#0969da'><title>{p.week}: {p.open} open"
            "</title></circle>"
        )
    lx, ly = left + 8, top + 2  # top left: the latest weeks, at the right, are the tallest
    parts.append(
        f"<g font-size='11' fill='#1f2328'><rect x='{lx}' y='{ly}' width='10' height='10' "
        f"fill='#0969da'/><text x='{lx + 14}' y='{ly + 9}'>open</text><rect x='{lx + 56}' "
        f"y='{ly}' width='10' height='10' fill='#fa4549'/><text x='{lx + 70}' y='{ly + 9}'>new"
        f"</text><rect x='{lx + 104}' y='{ly}' width='10' height='10' fill='#2da44e'/>"
        f"<text x='{lx + 118}' y='{ly + 9}'>resolved</text></g>"
    )
    parts.append("</svg>")
    return "".join(parts)
