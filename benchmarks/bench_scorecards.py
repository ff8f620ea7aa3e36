"""Issue 7 benchmark: 50,000 entities x 25 checks, evaluated AND stored.

Run: ``python -m benchmarks.bench_scorecards [--repos N]``. Prints one JSON line.

The org is ``benchmarks.generate_org`` (5,000 repositories x 10 entities + 400 teams) ingested
with the real catalog_files source. One scorecard covers every entity (all kinds) with 25
checks of every built-in type, across three levels, including a dependency-aware check over
generate_org's random dependencies (~90% of components form one strongly connected component,
the worst case for the fixpoint) and a custom ``sql`` check. Empty PagerDuty, CODEOWNERS and
aws_tags runs are logged so that those checks run their full queries instead of short-cutting
to ``unknown``. Timed: a stored run (1.26M results inserted) and a dry run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.generate_org import generate
from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source
from scorecards import evaluate, load_exemptions, load_scorecards

CHECKS = """
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
     key: pagerduty.com/service-id, matches: "^P[0-9]+$"}
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
  - {id: sql-no-consumers, title: Provides a consumed API, level: gold, type: sql,
     query: "SELECT source_ref AS ref, 'no api' AS evidence FROM relations
             WHERE type = 'ownerOf' AND source_ref LIKE 'group:%'"}
  - {id: namespace, title: Namespace, level: gold, type: field, path: metadata.namespace,
     matches: "^default$"}
"""


def _definitions(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.yaml").write_text(
        "id: bench\ntitle: Benchmark\nfilter:\n"
        "  kind: [component, api, resource, system, domain, group, user]\n"
        "levels: [bronze, silver, gold]\nchecks:" + CHECKS
    )
    (directory / "exemptions.yaml").write_text(
        "exemptions:\n"
        "  - {owner: group:team-0001, check: oncall, reason: bench, expires: 2999-01-01}\n"
        "  - {owner: group:team-0002, check: '*', reason: bench, expires: 2000-01-01}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "org", repos=args.repos, users_per_team=1)
        _definitions(root / "scorecards")
        store = Store(root / "steward.duckdb")
        config = CatalogFilesConfig(type="catalog_files", roots=[root / "org"])
        run_source(store, "catalog", CatalogFilesSource(config), state_dir=root / "state")
        for name, kind in (("pd", "pagerduty"), ("co", "codeowners"), ("aws", "aws_tags")):
            store.finish_run(store.begin_run(name, kind), status="ok")
        cards = load_scorecards(root / "scorecards")
        exemptions = load_exemptions(root / "scorecards")
        row = store.connection.execute("SELECT count(*) FROM entities").fetchone()
        entities = int(row[0]) if row else 0
        start = time.perf_counter()
        stored = evaluate(store, cards, exemptions)
        stored_s = time.perf_counter() - start
        start = time.perf_counter()
        dry = evaluate(store, cards, exemptions, dry_run=True)
        dry_s = time.perf_counter() - start
        start = time.perf_counter()
        evaluate(store, cards, exemptions)
        second_s = time.perf_counter() - start
        levels = stored.summaries[0].level_counts
        store.close()
    print(
        json.dumps(
            {
                "benchmark": "scorecards",
                "entities": entities,
                "checks": len(cards[0].checks),
                "results_stored": stored.result_count,
                "run_stored_s": round(stored_s, 3),
                "second_run_stored_s": round(second_s, 3),
                "dry_run_s": round(dry_s, 3),
                "dry_run_changes": len(dry.changes),
                "levels": levels,
                "target_s": 3.0,
            }
        )
    )


if __name__ == "__main__":
    main()
