"""One deterministic generator for every benchmark: organisations S, M and L.

    python -m benchmarks.generate --size L [--out bench-data] [--seed 7]

writes ``<out>/<size>/`` (``bench-data/`` is git-ignored):

* ``org/catalog-info.yaml`` — the group tree (``acme`` → divisions → departments → teams, some teams
  nested under other teams) and 5 users per team;
* ``repos/repo-NNNNN/`` — one git repository each (a ``.git`` of its own whose objects live in
  the shared store ``git/objects.git``, written by one ``git fast-import``): ``catalog-info.yaml``
  (components, an API, a resource; every 5th repo its system, every 250th its domain),
  ``.github/CODEOWNERS`` or ``CODEOWNERS``, ``README.md``. 2 % of the repositories are
  **monorepos**: a catalog file per service directory and thousands of files in git, half of
  them a *deep* tree (~8 files per directory), half a *flat* one (~1.4 files per directory, as a
  generated monorepo); their full file lists are in ``monorepos.json`` (what the CODEOWNERS
  benchmark matches). The work tree holds the catalog files, CODEOWNERS and README only (a sparse
  checkout): the sources read nothing else;
* ``aws/resources.json`` — tagged cloud resources per region in the Tagging API's shape;
* ``pagerduty/fixture.json`` — services, escalation policies, schedules, teams, users, on-calls
  in ``standins.pagerduty``'s compact fixture format;
* ``scorecards/`` — one scorecard of 25 checks; ``steward.yaml`` — the config of all four sources
  (the stand-ins' URLs come from ``STEWARD_BENCH_AWS_URL`` and ``STEWARD_BENCH_PAGERDUTY_URL``).

Dependencies have power-law fan-in: a component depends on 2-5 components of *lower* index,
chosen with weight ∝ 1/(index+1), so a few platform services are depended on by thousands and
most by a handful; 0.1 % of the edges point upwards (the cycles real catalogs have).

Gaps and broken files at realistic rates (per entity or file; see ``RATES``): YAML syntax
errors, entities that fail validation, duplicate refs, unknown and member-less owner teams,
repositories without catalog-info.yaml or CODEOWNERS, CODEOWNERS naming unknown teams or with
bad lines, untagged or wrongly tagged cloud resources, PagerDuty services mapped to nothing,
escalation policies with one level or nobody on call.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.vocabulary import EXTS, FILES, SUBDIRS, TOP, WORDS
from standins.aws import ARN_KINDS

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "bench-data"
ORG = "acme"
REGIONS = ("us-east-1", "eu-west-1")
ACCOUNT = "123456789012"
GIT_DATE = "1767225600 +0000"  # fixed commit dates keep the object ids deterministic


@dataclass(frozen=True)
class Size:
    name: str
    entities: int
    repos: int
    teams: int
    monorepos: int
    monorepo_files: int
    resources: int
    pd_services: int


SIZES = {
    "S": Size("S", 1_000, 100, 10, 2, 400, 4_000, 100),
    "M": Size("M", 10_000, 1_000, 100, 20, 1_000, 40_000, 1_000),
    "L": Size("L", 50_000, 5_000, 500, 100, 2_000, 200_000, 5_000),
}

RATES = {
    "yaml_syntax_error": 0.003,  # per catalog file: the whole file is rejected
    "invalid_entity": 0.005,  # per component: fails validation (bad name / missing field)
    "duplicate_ref": 0.001,  # per repository: a component already defined elsewhere
    "unknown_owner": 0.015,  # per component: owner is not a known group
    "no_catalog_info": 0.05,  # per repository
    "no_codeowners": 0.08,  # per repository
    "codeowners_unknown_team": 0.03,  # per CODEOWNERS file
    "codeowners_bad_line": 0.01,  # per CODEOWNERS file
    "memberless_team": 0.02,  # per team
    "untagged_resource": 0.05,  # per cloud resource
    "unknown_team_tag": 0.02,  # per cloud resource
    "unmapped_pd_service": 0.05,  # per PagerDuty service
    "single_level_policy": 0.04,  # per escalation policy
    "nobody_on_call": 0.01,  # per escalation policy (its schedule has no users)
}

LIFECYCLES = ("production", "production", "production", "experimental", "deprecated")
RESOURCE_TYPES = ("database", "s3-bucket", "kafka-topic", "queue", "cache")


def team_name(t: int) -> str:
    return f"team-{t:04d}"


def user_login(t: int, u: int) -> str:
    return f"user{t:04d}x{u}"


# --- the organisation --------------------------------------------------------------------------


@dataclass
class Org:
    size: Size
    teams: list[str]
    team_parent: list[str]
    memberless: set[int]
    divisions: int
    departments: int


def _org(size: Size, rng: random.Random) -> Org:
    divisions = max(2, size.teams // 60)
    departments = max(2, size.teams // 10)
    teams = [team_name(t) for t in range(size.teams)]
    parents: list[str] = []
    for t in range(size.teams):
        # one team in ten is a sub-team of an earlier team of its department
        if t >= departments and rng.random() < 0.1:
            parents.append(teams[t - departments])
        else:
            parents.append(f"dept-{t % departments:03d}")
    memberless = {t for t in range(size.teams) if rng.random() < RATES["memberless_team"]}
    return Org(size, teams, parents, memberless, divisions, departments)


def _group(name: str, kind: str, parent: str | None, extra: str = "") -> str:
    parent_line = f"  parent: {parent}\n" if parent else ""
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n"
        f"  title: {name.replace('-', ' ').title()}\n{extra}spec:\n  type: {kind}\n"
        f"{parent_line}  children: []\n"
    )


def org_yaml(org: Org) -> str:
    docs = [_group(ORG, "organization", None)]
    docs += [_group(f"div-{d:02d}", "division", ORG) for d in range(org.divisions)]
    docs += [
        _group(f"dept-{d:03d}", "department", f"div-{d % org.divisions:02d}")
        for d in range(org.departments)
    ]
    for t, name in enumerate(org.teams):
        docs.append(
            _group(
                name,
                "team",
                org.team_parent[t],
                f"  annotations:\n    github.com/team-slug: {ORG}/{name}\n",
            )
        )
        if t in org.memberless:
            continue
        for u in range(5):
            login = user_login(t, u)
            docs.append(
                f"apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {login}\n"
                f"  annotations:\n    github.com/user-login: {login}\nspec:\n  profile:\n"
                f"    displayName: User {t} {u}\n    email: {login}@acme.example\n"
                f"  memberOf: [{name}]\n"
            )
    return "---\n".join(docs)


# --- repositories ------------------------------------------------------------------------------


@dataclass
class Repo:
    index: int
    name: str
    team: str
    files: dict[str, str]  # work-tree files: path → text (also committed)
    tree_only: list[str]  # files only in git (same placeholder blob)
    shape: str | None = None  # "deep" | "flat" for monorepos


class PowerLaw:
    """Picks an index below ``n`` with weight ∝ 1/(i+1): a few are picked very often."""

    def __init__(self, n: int) -> None:
        self.cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(n)))

    def below(self, rng: random.Random, limit: int) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.cum[limit - 1])


def _component_doc(
    name: str,
    repo: str,
    team: str,
    system: str,
    lifecycle: str,
    depends: list[str],
    consumes: list[str],
    pd_service: str | None,
    broken: str | None,
) -> str:
    annotations = (
        f"    github.com/project-slug: {ORG}/{repo}\n    backstage.io/techdocs-ref: dir:.\n"
    )
    if pd_service:
        annotations += f"    pagerduty.com/service-id: {pd_service}\n"
    meta_name = "bad name!" if broken == "name" else name
    lifecycle_line = "" if broken == "lifecycle" else f"  lifecycle: {lifecycle}\n"
    dep_lines = "".join(f"    - {d}\n" for d in depends)
    doc = (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {meta_name}\n"
        f"  title: Service {name}\n  description: The {name} service.\n"
        f"  tags: [python, tier-{len(name) % 3}]\n  annotations:\n{annotations}"
        f"  links:\n    - url: https://dashboards.acme.example/{name}\n      title: Dashboard\n"
        f"spec:\n  type: service\n{lifecycle_line}  owner: group:{team}\n  system: {system}\n"
    )
    if consumes:
        doc += f"  consumesApis: [{', '.join(consumes)}]\n"
    if depends:
        doc += f"  dependsOn:\n{dep_lines}"
    return doc


def _codeowners(
    rng: random.Random, org: Org, team: str, dirs: list[str], rules: int, unknown: bool, bad: bool
) -> str:
    def owners() -> str:
        picks = [f"@{ORG}/{rng.choice(org.teams)}" for _ in range(rng.choice((1, 1, 1, 2)))]
        if rng.random() < 0.2:
            t = rng.randrange(len(org.teams))
            picks.append(f"@{user_login(t, rng.randrange(5))}")
        return " ".join(picks)

    lines = [f"# {ORG} CODEOWNERS", f"*  @{ORG}/{team}", "*.md  @acme/" + rng.choice(org.teams)]
    lines += ["/.github/  @acme/" + team, "**/migrations/  @acme/" + rng.choice(org.teams)]
    while len(lines) < rules:
        d = rng.choice(dirs) if dirs else ""
        kind = rng.random()
        if kind < 0.55 or not d:
            pat = f"/{d}/" if d else f"/{rng.choice(SUBDIRS)}/"
        elif kind < 0.7:
            pat = f"/{d}/*{rng.choice(EXTS[:-1])}"
        elif kind < 0.8:
            pat = f"/{d}/**/{rng.choice(FILES)}{rng.choice(EXTS)}"
        elif kind < 0.9:
            pat = f"{d.rsplit('/', 1)[-1]}/"
        elif kind < 0.97:
            pat = f"*{rng.choice(EXTS[:-1])}"
        else:
            lines.append(f"/{d}/")  # ownerless: clears ownership below it
            continue
        lines.append(f"{pat}  {owners()}")
    if unknown:
        lines.append(f"/docs/  @{ORG}/team-unknown-{rng.randrange(100)}")
    if bad:
        lines.append("/scripts/ not-an-owner")
    return "\n".join(lines) + "\n"


def _monorepo_tree(rng: random.Random, shape: str, n_files: int) -> list[str]:
    """Paths of a monorepo: "deep" about 8 files per directory; "flat" about 1.4."""
    if shape == "deep":
        n_dirs = max(4, n_files // 8)
        roots = rng.sample([f"{top}/{w}" for top in TOP for w in WORDS], max(2, n_dirs // 6))
        frontier = [(d, 2) for d in roots]
        dirs = list(roots)
        while frontier and len(dirs) < n_dirs:
            parent, depth = frontier.pop(rng.randrange(len(frontier)))
            for child in rng.sample(SUBDIRS, rng.choice((1, 2, 3, 4, 6))):
                dirs.append(f"{parent}/{child}")
                if depth < 9:
                    frontier.append((f"{parent}/{child}", depth + 1))
    else:
        dirs = [
            "/".join(
                [rng.choice(TOP), rng.choice(WORDS)]
                + [rng.choice(SUBDIRS) for _ in range(rng.choice((1, 2, 3, 4, 5)))]
            )
            + f"/m{i % 97}"
            for i in range(int(n_files * 1.5))
        ]
    seen: set[str] = set()
    paths: list[str] = []
    while len(paths) < n_files:
        path = f"{rng.choice(dirs)}/{rng.choice(FILES)}{rng.choice(EXTS)}"
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


@dataclass
class Plan:
    """Entity names shared between the catalog, cloud tags and PagerDuty."""

    components: list[str]
    component_team: list[str]
    production: list[int]


def _repos(size: Size, org: Org, rng: random.Random) -> tuple[list[Repo], Plan]:
    n_groups = 1 + org.divisions + org.departments + size.teams
    n_users = 5 * (size.teams - len(org.memberless))
    systems = size.repos // 5
    domains = max(1, size.repos // 250)
    budget = size.entities - n_groups - n_users - systems - domains - 2 * size.repos
    budget = int(budget / (1 - RATES["no_catalog_info"]))  # what the repos without one lose
    mono_components = 30 if size.name == "L" else 10
    monorepos = set(rng.sample(range(size.repos), size.monorepos))
    mono_order = sorted(monorepos)
    normal = size.repos - size.monorepos
    per_normal, extra = divmod(budget - mono_components * size.monorepos, normal)
    counts = [
        mono_components if r in monorepos else per_normal + (1 if r % normal < extra else 0)
        for r in range(size.repos)
    ]
    total = sum(counts)
    power = PowerLaw(total)
    pd_ids = int(size.pd_services * (1 - RATES["unmapped_pd_service"]))
    components: list[str] = []
    comp_team: list[str] = []
    production: list[int] = []
    repos: list[Repo] = []
    for r in range(size.repos):
        team = org.teams[(r * 7919) % size.teams]
        name = f"repo-{r:05d}"
        system = f"system-{r // 5:04d}"
        mono = r in monorepos
        shape = None
        if mono:
            shape = "deep" if mono_order.index(r) % 2 == 0 else "flat"
        tree = _monorepo_tree(rng, shape, size.monorepo_files) if shape else []
        service_dirs = sorted({"/".join(p.split("/")[:2]) for p in tree})
        files: dict[str, list[tuple[str, str]]] = {}  # catalog path → docs
        head: list[str] = []
        if r % 5 == 0:
            head.append(
                f"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: {system}\n"
                f"spec:\n  owner: {team}\n  domain: domain-{r // 250:02d}\n"
            )
        if r % 250 == 0:
            head.append(
                f"apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n"
                f"  name: domain-{r // 250:02d}\nspec:\n  owner: {team}\n"
            )
        head.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{r:05d}\n"
            f"  description: HTTP API of {name}\nspec:\n  type: openapi\n"
            f"  lifecycle: production\n  owner: {team}\n  system: {system}\n"
            f"  definition: |\n    openapi: 3.0.0\n"
            f"    info: {{title: api-{r:05d}, version: 1.0.0}}\n    paths: {{}}\n"
        )
        head.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db-{r:05d}\n"
            f"spec:\n  type: {RESOURCE_TYPES[r % len(RESOURCE_TYPES)]}\n  owner: {team}\n"
            f"  system: {system}\n"
        )
        files["catalog-info.yaml"] = [("", d) for d in head]
        for c in range(counts[r]):
            index = len(components)
            cname = f"svc-{r:05d}-{c:02d}"
            owner = team
            roll = rng.random()
            if roll < RATES["unknown_owner"]:
                owner = f"team-gone-{rng.randrange(50):02d}"
            lifecycle = LIFECYCLES[(r + c) % len(LIFECYCLES)]
            depends = []
            if index:
                for _ in range(rng.randint(2, 5)):
                    depends.append(f"component:svc-ref-{power.below(rng, index)}")
            if rng.random() < 0.001 and index + 10 < total:
                depends.append(f"component:svc-ref-{index + 1 + rng.randrange(10)}")
            depends.append(f"resource:db-{r:05d}")
            consumes = [f"api-{power.below(rng, size.repos):05d}" for _ in range(rng.randint(0, 2))]
            pd = None
            if lifecycle == "production" and rng.random() < 0.9:
                pd = f"PS{rng.randrange(pd_ids):05d}"
            broken = None
            if rng.random() < RATES["invalid_entity"]:
                broken = rng.choice(("name", "lifecycle"))
            doc = _component_doc(
                cname, name, owner, system, lifecycle, depends, consumes, pd, broken
            )
            path = (
                f"{service_dirs[c % len(service_dirs)]}/catalog-info.yaml"
                if mono
                else "catalog-info.yaml"
            )
            files.setdefault(path, []).append((cname, doc))
            components.append(cname)
            comp_team.append(team)
            if lifecycle == "production":
                production.append(index)
        if rng.random() < RATES["duplicate_ref"] and components:
            dup = rng.randrange(len(components))
            files["catalog-info.yaml"].append(
                ("", f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                     f"  name: svc-ref-{dup}\nspec:\n  type: service\n  lifecycle: production\n"
                     f"  owner: {team}\n")
            )  # fmt: skip
        work: dict[str, str] = {"README.md": f"# {name}\n\nOwned by {team}.\n"}
        if rng.random() >= RATES["no_catalog_info"]:
            for path, docs in files.items():
                text = "---\n".join(d for _, d in docs)
                if rng.random() < RATES["yaml_syntax_error"]:
                    text += "metadata: [unclosed\n"
                work[path] = text
        if rng.random() >= RATES["no_codeowners"]:
            dirs = sorted({p.rpartition("/")[0] for p in tree}) or ["src", "docs", "deploy"]
            path = ".github/CODEOWNERS" if r % 3 else "CODEOWNERS"
            work[path] = _codeowners(
                rng,
                org,
                team,
                dirs,
                200 if mono else 4,
                rng.random() < RATES["codeowners_unknown_team"],
                rng.random() < RATES["codeowners_bad_line"],
            )
        if not mono:
            tree = ["src/main.py", "src/app.py", "tests/test_main.py", "deploy/service.yml"]
        repos.append(Repo(r, name, team, work, tree, shape))
    # components were referred to by index while the names were being made: resolve
    by_index = {f"component:svc-ref-{i}": f"component:{n}" for i, n in enumerate(components)}
    by_dup = {f"svc-ref-{i}": n for i, n in enumerate(components)}
    for repo in repos:
        for path, text in repo.files.items():
            if "svc-ref-" in text:
                repo.files[path] = _resolve_refs(text, by_index, by_dup)
    return repos, Plan(components, comp_team, production)


def _resolve_refs(text: str, by_index: dict[str, str], by_dup: dict[str, str]) -> str:
    out = []
    for line in text.split("\n"):
        if "svc-ref-" in line:
            stripped = line.strip()
            if stripped.startswith("- component:svc-ref-"):
                line = line.replace(stripped[2:], by_index[stripped[2:]])
            elif stripped.startswith("name: svc-ref-"):
                line = line.replace(stripped[6:], by_dup[stripped[6:]])
        out.append(line)
    return "\n".join(out)


# --- git ---------------------------------------------------------------------------------------


def _fast_import_stream(repos: list[Repo]) -> bytes:
    parts: list[bytes] = [b"blob\nmark :1\ndata 12\nplaceholder\n"]
    for repo in repos:
        msg = f"{repo.name}: generated\n".encode()
        parts.append(
            f"commit refs/heads/{repo.name}\nmark :{repo.index + 2}\n"
            f"committer Steward Bench <bench@acme.example> {GIT_DATE}\n"
            f"data {len(msg)}\n".encode()
            + msg
        )
        for path, text in sorted(repo.files.items()):
            data = text.encode()
            parts.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        parts.extend(f"M 100644 :1 {path}\n".encode() for path in repo.tree_only)
        parts.append(b"\n")
    return b"".join(parts)


def commit_repos(
    git_store: Path,
    repos: list[Repo],
    *,
    parents: dict[str, str] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, str]:
    """Commit each repo's files into the shared object store with one ``git fast-import``;
    returns repo name → commit id. ``parents`` (name → commit) makes them follow-up commits.
    ``meanwhile`` runs in this process while git imports (the work trees are written then: on
    two cores that hides most of one behind the other)."""
    stream = _fast_import_stream(repos)
    if parents:
        lines = stream.split(b"\ncommit refs/heads/")
        stream = b"".join(
            _with_parent(chunk, parents) if i else chunk for i, chunk in enumerate(lines)
        )
    marks = git_store / "marks"
    git = subprocess.Popen(
        ["git", "--git-dir", str(git_store), "fast-import", "--quiet", "--force",
         f"--export-marks={marks}"],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    feeder = threading.Thread(target=git.communicate, args=(stream,))
    feeder.start()
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        feeder.join()
    if git.returncode != 0:
        raise subprocess.CalledProcessError(git.returncode, "git fast-import")
    by_mark = dict(line.split(" ", 1) for line in marks.read_text().splitlines())
    return {repo.name: by_mark[f":{repo.index + 2}"].strip() for repo in repos}


def _with_parent(chunk: bytes, parents: dict[str, str]) -> bytes:
    head, _, rest = chunk.partition(b"\n")
    name = head.decode()
    # the "from" line goes right after the commit message (before the first M line)
    marker = b"\nM 100644 "
    at = rest.find(marker)
    return (
        b"\ncommit refs/heads/" + head + b"\n" + rest[:at] + f"\nfrom {parents[name]}".encode()
        + rest[at:]
    )  # fmt: skip


def write_repo(root: Path, repo: Repo, commit: str, git_store: Path) -> None:
    """The work tree and a ``.git`` that borrows the shared store's objects."""
    write_worktree(root, repo, git_store)
    set_head(root, repo, commit)


def write_worktree(root: Path, repo: Repo, git_store: Path) -> None:
    """The work tree's files and its ``.git`` (all but its branch's commit: ``set_head``)."""
    work = root / repo.name
    for path, text in repo.files.items():
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git = work / ".git"
    (git / "refs" / "heads").mkdir(parents=True, exist_ok=True)
    (git / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "objects" / "info" / "alternates").write_text(str(git_store / "objects") + "\n")
    (git / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
        f'[remote "origin"]\n\turl = git@github.com:{ORG}/{repo.name}.git\n'
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
    )


def set_head(root: Path, repo: Repo, commit: str) -> None:
    (root / repo.name / ".git" / "refs" / "heads" / "main").write_text(commit + "\n")


def change_repos(data: Path, fraction: float, round_no: int | None = None) -> list[str]:
    """Change ``fraction`` of the repositories (their API's description, or the README) with one
    new commit each, as a day's merges would; returns their names. Deterministic per round;
    without ``round_no`` the round after the last one this organisation saw (counted in its
    manifest), so that data reused across benchmark runs changes again on every run."""
    manifest = data / "manifest.json"
    meta = json.loads(manifest.read_text())
    if round_no is None:
        round_no = int(meta.get("change_rounds", 0)) + 1
    repos_dir = data / "repos"
    names = sorted(p.name for p in repos_dir.iterdir())
    rng = random.Random(round_no)
    picked = sorted(rng.sample(names, max(1, int(len(names) * fraction))))
    changed: list[Repo] = []
    parents: dict[str, str] = {}
    for i, name in enumerate(picked):
        work = repos_dir / name
        files = {}
        for path in ("catalog-info.yaml", ".github/CODEOWNERS", "CODEOWNERS", "README.md"):
            if (work / path).is_file():
                files[path] = (work / path).read_text()
        if "catalog-info.yaml" in files:
            files["catalog-info.yaml"] = _API_DESCRIPTION.sub(
                f"  description: (rev {round_no}) HTTP API of", files["catalog-info.yaml"], 1
            )
        else:
            files["README.md"] += f"\nrev {round_no}\n"
        changed.append(Repo(i, name, "", files, []))
        parents[name] = (work / ".git" / "refs" / "heads" / "main").read_text().strip()
    # no longer what the generator wrote: `ensure` regenerates it unless told changed data will do
    rounds = max(round_no, int(meta.get("change_rounds", 0)))
    manifest.write_text(json.dumps({**meta, "changed": True, "change_rounds": rounds}, indent=2))
    # each commit starts from its parent's tree ("from"), so the files only in git are kept
    commits = commit_repos(data / "git" / "objects.git", changed, parents=parents)
    for repo in changed:
        write_repo(repos_dir, repo, commits[repo.name], data / "git" / "objects.git")
    return picked


_API_DESCRIPTION = re.compile(r"  description: (?:\(rev \d+\) )?HTTP API of")


# --- cloud resources and PagerDuty -------------------------------------------------------------


def cloud_resources(size: Size, plan: Plan, rng: random.Random) -> dict[str, list[Any]]:
    per_region = size.resources // len(REGIONS)
    out: dict[str, list[Any]] = {}
    n = 0
    for region in REGIONS:
        items = []
        for _ in range(per_region):
            service, tail = ARN_KINDS[n % len(ARN_KINDS)]
            arn = f"arn:aws:{service}:" + tail.format(region=region, account=ACCOUNT, n=n)
            c = rng.randrange(len(plan.components))
            tags = [
                {"Key": "Name", "Value": f"resource-{n}"},
                {"Key": "env", "Value": "prod" if n % 3 else "staging"},
                {"Key": "cost-center", "Value": f"cc-{n % 97}"},
            ]
            roll = rng.random()
            if roll >= RATES["untagged_resource"]:
                team = plan.component_team[c]
                if roll < RATES["untagged_resource"] + RATES["unknown_team_tag"]:
                    team = f"team-gone-{n % 40:02d}"
                tags.append({"Key": "team", "Value": team})
                if rng.random() < 0.8:
                    tags.append({"Key": "service", "Value": plan.components[c]})
            items.append({"ResourceARN": arn, "Tags": tags})
            n += 1
        out[region] = items
    return out


def pagerduty_fixture(size: Size, org: Org, rng: random.Random) -> dict[str, Any]:
    teams = org.teams
    users = [
        {
            "id": f"PU{t:04d}{u}",
            "name": f"User {t} {u}",
            "email": f"{user_login(t, u)}@acme.example",
        }
        for t in range(len(teams))
        for u in range(5)
    ]
    pd_teams = [
        {
            "id": f"PT{t:05d}",
            "name": name if rng.random() > 0.03 else f"Legacy {name} rota",
            "members": [{"user": f"PU{t:04d}{u}", "role": "responder"} for u in range(5)],
        }
        for t, name in enumerate(teams)
    ]
    schedules = []
    policies = []
    oncalls = []
    n_policies = max(len(teams), size.pd_services // 5)
    for p in range(n_policies):
        t = p % len(teams)
        nobody = rng.random() < RATES["nobody_on_call"]
        schedules.append(
            {
                "id": f"PQ{p:05d}",
                "name": f"{teams[t]} primary {p}",
                "users": [] if nobody else [f"PU{t:04d}{u}" for u in range(5)],
            }
        )
        levels = [{"delay": 30, "targets": [{"schedule": f"PQ{p:05d}"}]}]
        if rng.random() >= RATES["single_level_policy"]:
            levels.append({"delay": 30, "targets": [{"user": f"PU{t:04d}0"}]})
        policies.append(
            {"id": f"PE{p:05d}", "name": f"{teams[t]} policy {p}", "teams": [f"PT{t:05d}"],
             "levels": levels}
        )  # fmt: skip
        if not nobody:
            oncalls.append(
                {"user": f"PU{t:04d}{p % 5}", "escalation_policy": f"PE{p:05d}", "level": 1,
                 "schedule": f"PQ{p:05d}"}
            )  # fmt: skip
        if len(levels) > 1:
            oncalls.append({"user": f"PU{t:04d}0", "escalation_policy": f"PE{p:05d}", "level": 2})
    services = [
        {
            "id": f"PS{s:05d}",
            "name": f"service-{s}",
            "escalation_policy": f"PE{s % n_policies:05d}",
            "teams": [f"PT{s % len(teams):05d}"],
            "integrations": [{"id": f"PI{s:05d}", "key": f"{s:032x}"}],
        }
        for s in range(size.pd_services)
    ]
    return {
        "users": users,
        "teams": pd_teams,
        "schedules": schedules,
        "escalation_policies": policies,
        "services": services,
        "oncalls": oncalls,
    }


# --- scorecards and config ---------------------------------------------------------------------

SCORECARD = """id: bench
title: Benchmark readiness
filter:
  kind: [component, api, resource, system, domain, group, user]
levels: [bronze, silver, gold]
checks:
  - {id: owner, title: Has owner, level: bronze, type: has_owner}
  - {id: owner-team, title: Owner team, level: bronze, type: owner_is_known_group_with_members}
  - {id: description, title: Description, level: bronze, type: field, path: metadata.description}
  - {id: title, title: Title, level: bronze, type: field, path: metadata.title, matches: "^Service"}
  - {id: slug, title: Slug, level: bronze, type: annotation, key: github.com/project-slug}
  - {id: slug-format, title: Slug format, level: bronze, type: annotation,
     key: github.com/project-slug, matches: "^acme/repo-[0-9]+$"}
  - {id: docs, title: Docs, level: bronze, type: has_docs}
  - {id: docs-desc, title: Docs and description, level: silver, type: has_docs,
     require_description: true}
  - {id: tag-python, title: Python, level: silver, type: tag, tag: python}
  - {id: tag-tier, title: Tier, level: silver, type: tag, tag: [tier-0, tier-1]}
  - {id: lifecycle, title: Lifecycle, level: silver, type: field, path: spec.lifecycle,
     one_of: [production, experimental]}
  - {id: links, title: Dashboard link, level: silver, type: field, path: "metadata.links[*].url",
     matches: "^https://dashboards\\\\."}
  - {id: links-all, title: All links https, level: silver, type: field,
     path: "metadata.links[*].url", matches: "^https://", require: all}
  - {id: system, title: System, level: silver, type: field, path: spec.system}
  - {id: type, title: Type, level: silver, type: field, path: spec.type, equals: service}
  - {id: pd-annotation, title: PagerDuty annotation, level: silver, type: annotation,
     key: pagerduty.com/service-id, matches: "^P[A-Z0-9]+$"}
  - {id: no-deprecated, title: No deprecated deps, level: silver,
     type: no_dependency_on_deprecated}
  - {id: no-experimental, title: No experimental deps, level: gold,
     type: no_dependency_on_deprecated, lifecycles: [experimental]}
  - {id: oncall, title: On-call, level: gold, type: oncall, min_escalation_levels: 2}
  - {id: codeowners, title: CODEOWNERS agree, level: gold, type: codeowners_agree}
  - {id: cloud, title: Cloud tags, level: gold, type: cloud_resources_tagged_with_owner,
     if_none: pass}
  - {id: deps-bronze, title: Dependencies bronze, level: gold, type: dependencies_reach_level,
     required_level: bronze}
  - {id: deps-gold, title: Dependencies gold, level: gold, type: dependencies_reach_level,
     required_level: gold}
  - {id: sql-owned, title: Owner owns something, level: gold, type: sql,
     query: "SELECT source_ref AS ref, 'owns entities' AS evidence FROM relations
             WHERE type = 'ownerOf' AND source_ref LIKE 'group:%'"}
  - {id: namespace, title: Namespace, level: gold, type: field, path: metadata.namespace,
     matches: "^default$"}
"""

EXEMPTIONS = """exemptions:
  - {owner: group:team-0001, check: oncall, reason: bench, expires: 2999-01-01}
  - {owner: group:team-0002, check: '*', reason: bench, expires: 2000-01-01}
"""

CONFIG = """# Generated by benchmarks/generate.py; the stand-ins' URLs come from the environment.
database: ./steward.duckdb
sources:
  catalog:
    type: catalog_files
    roots: [./org, ./repos]
  codeowners:
    type: codeowners
    roots: [./repos]
    org_namespaces: {acme: default}
  aws:
    type: aws_tags
    regions: [us-east-1, eu-west-1]
    endpoint_url: ${STEWARD_BENCH_AWS_URL:-http://127.0.0.1:9}
    owner_tags: [team]
    component_tags: [service]
  pagerduty:
    type: pagerduty
    base_url: ${STEWARD_BENCH_PAGERDUTY_URL:-http://127.0.0.1:9}
    token: ${PAGERDUTY_TOKEN:-bench-token-0123456789}
scorecards: ./scorecards
api: {host: 127.0.0.1, port: "${STEWARD_BENCH_PORT:-7018}"}
"""


def config_text() -> str:
    """The config of all four sources, plus ``allowed_hosts: [127.0.0.1]`` (the stand-ins listen
    there) when this Steward has that setting (a config naming it is refused before it)."""
    from service.config import StewardConfig

    if "allowed_hosts" in StewardConfig.model_fields:
        return CONFIG + "allowed_hosts: [127.0.0.1]\n"
    return CONFIG


# --- driver ------------------------------------------------------------------------------------


def generate(size: Size, out: Path, seed: int = 7) -> dict[str, Any]:
    """Write organisation ``size`` under ``out`` (replacing it); returns its manifest."""
    start = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    org = _org(size, rng)
    repos, plan = _repos(size, org, rng)
    (out / "org").mkdir(parents=True)
    (out / "org" / "catalog-info.yaml").write_text(org_yaml(org))
    git_store = out / "git" / "objects.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(git_store)], check=True)

    def worktrees() -> None:
        for repo in repos:
            write_worktree(out / "repos", repo, git_store)

    commits = commit_repos(git_store, repos, meanwhile=worktrees)
    for repo in repos:
        set_head(out / "repos", repo, commits[repo.name])
    monorepos = {
        repo.name: {
            "shape": repo.shape,
            "codeowners": next((p for p in repo.files if p.endswith("CODEOWNERS")), None),
            "paths": repo.tree_only,
        }
        for repo in repos
        if repo.shape
    }
    (out / "monorepos.json").write_text(json.dumps(monorepos))
    (out / "aws").mkdir()
    (out / "aws" / "resources.json").write_text(
        json.dumps(cloud_resources(size, plan, rng), separators=(",", ":"))
    )
    (out / "pagerduty").mkdir()
    (out / "pagerduty" / "fixture.json").write_text(
        json.dumps(pagerduty_fixture(size, org, rng), separators=(",", ":"))
    )
    (out / "scorecards").mkdir()
    (out / "scorecards" / "bench.yaml").write_text(SCORECARD)
    (out / "scorecards" / "exemptions.yaml").write_text(EXEMPTIONS)
    (out / "steward.yaml").write_text(config_text())
    manifest = {
        "size": size.name,
        "seed": seed,
        "repos": size.repos,
        "monorepos": size.monorepos,
        "teams": size.teams,
        "components": len(plan.components),
        "dependency_edges": sum(
            t.count("\n    - component:") for r in repos for t in r.files.values()
        ),
        "cloud_resources": size.resources,
        "pd_services": size.pd_services,
        "catalog_files": 1 + sum(1 for r in repos for p in r.files if p.endswith(".yaml")),
        "generate_s": round(time.perf_counter() - start, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def ensure(
    size_name: str, out: Path = DEFAULT_OUT, seed: int = 7, *, changed_ok: bool = False
) -> Path:
    """The organisation's directory, generated unless an identical one is already there
    (``changed_ok``: one that a benchmark has since changed is good enough too)."""
    target = out / size_name
    manifest = target / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        fresh = data.get("seed") == seed and data.get("generator") == _fingerprint()
        if fresh and (changed_ok or not data.get("changed")):
            (target / "steward.yaml").write_text(config_text())  # what this Steward accepts
            return target
    generate(SIZES[size_name], target, seed)
    data = json.loads(manifest.read_text())
    data["generator"] = _fingerprint()
    manifest.write_text(json.dumps(data, indent=2))
    return target


def _fingerprint() -> str:
    import hashlib

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((Path(__file__).parent / "vocabulary.py").read_bytes())
    return digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(generate(SIZES[args.size], args.out / args.size, args.seed)))


if __name__ == "__main__":
    main()
