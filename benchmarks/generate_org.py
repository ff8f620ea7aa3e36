"""Generate a large, realistic catalog: N repositories of multi-document catalog-info.yaml.

Deterministic for a given seed. Used by the ingest benchmark (default: 50,000 entities in
5,000 repositories) and reusable by later benchmarks (graph, scorecards).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

LIFECYCLES = ("production", "production", "production", "experimental", "deprecated")
RESOURCE_TYPES = ("database", "s3-bucket", "kafka-topic", "queue", "cache")


def _team(i: int) -> str:
    return f"team-{i:04d}"


def _org_yaml(teams: int, users_per_team: int) -> str:
    docs = [
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: acme\n"
        "spec:\n  type: organization\n  children: []\n"
    ]
    departments = max(1, teams // 20)
    for d in range(departments):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: dept-{d:03d}\n"
            f"spec:\n  type: department\n  parent: acme\n  children: []\n"
        )
    for t in range(teams):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {_team(t)}\n"
            f"  description: Team {t}\nspec:\n  type: team\n  parent: dept-{t % departments:03d}\n"
            f"  children: []\n"
        )
        for u in range(users_per_team):
            login = f"user{t:04d}x{u}"
            docs.append(
                f"apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {login}\n"
                f"  annotations:\n    github.com/user-login: {login}\nspec:\n  profile:\n"
                f"    displayName: User {t} {u}\n    email: {login}@acme.example\n"
                f"  memberOf: [{_team(t)}]\n"
            )
    return "---\n".join(docs)


def _repo_yaml(r: int, repos: int, per_repo: int, teams: int, rng: random.Random) -> str:
    team = _team(r % teams)
    system = f"system-{r // 10:04d}"
    docs: list[str] = []
    if r % 10 == 0:
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: {system}\n"
            f"spec:\n  owner: {team}\n  domain: domain-{r // 500:02d}\n"
        )
    if r % 500 == 0:
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n"
            f"  name: domain-{r // 500:02d}\nspec:\n  owner: {team}\n"
        )
    n_components = per_repo - len(docs) - 2
    for c in range(n_components):
        name = f"svc-{r:05d}-{c}"
        deps = sorted(
            {
                f"component:svc-{rng.randrange(repos):05d}-{rng.randrange(3)}"
                for _ in range(rng.randrange(3))
            }
        )
        dep_lines = "".join(f"    - {d}\n" for d in deps) + f"    - resource:db-{r:05d}\n"
        consumes = f"api-{rng.randrange(repos):05d}"
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
            f"  title: Service {r} {c}\n  description: Generated service {name} for benchmarks.\n"
            f"  tags: [python, tier-{c % 3}]\n  annotations:\n"
            f"    github.com/project-slug: acme/repo-{r:05d}\n"
            f"    pagerduty.com/service-id: P{r:05d}{c}\n"
            f"    backstage.io/techdocs-ref: dir:.\n"
            f"  links:\n    - url: https://dashboards.acme.example/{name}\n      title: Dashboard\n"
            f"spec:\n  type: service\n  lifecycle: {LIFECYCLES[(r + c) % len(LIFECYCLES)]}\n"
            f"  owner: group:{team}\n  system: {system}\n"
            f"  providesApis: [api-{r:05d}]\n  consumesApis: [{consumes}]\n"
            f"  dependsOn:\n{dep_lines}"
        )
    docs.append(
        f"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{r:05d}\n"
        f"  description: HTTP API of repo {r}\nspec:\n  type: openapi\n  lifecycle: production\n"
        f"  owner: {team}\n  system: {system}\n  definition: |\n    openapi: 3.0.0\n"
        f"    info: {{title: api-{r:05d}, version: 1.0.0}}\n    paths: {{}}\n"
    )
    docs.append(
        f"apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db-{r:05d}\n"
        f"spec:\n  type: {RESOURCE_TYPES[r % len(RESOURCE_TYPES)]}\n  owner: {team}\n"
        f"  system: {system}\n"
    )
    return "---\n".join(docs)


def generate(
    out: Path,
    *,
    repos: int = 5_000,
    entities_per_repo: int = 10,
    teams: int = 400,
    users_per_team: int = 0,
    seed: int = 7,
) -> int:
    """Write the organisation under ``out``; returns the number of files written."""
    rng = random.Random(seed)
    (out / "org").mkdir(parents=True, exist_ok=True)
    (out / "org" / "catalog-info.yaml").write_text(_org_yaml(teams, users_per_team))
    for r in range(repos):
        repo = out / "repos" / f"repo-{r:05d}"
        repo.mkdir(parents=True, exist_ok=True)
        (repo / "catalog-info.yaml").write_text(_repo_yaml(r, repos, entities_per_repo, teams, rng))
    return repos + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--repos", type=int, default=5_000)
    parser.add_argument("--per-repo", type=int, default=10)
    args = parser.parse_args()
    print(generate(args.out, repos=args.repos, entities_per_repo=args.per_repo), "files")


if __name__ == "__main__":
    main()
