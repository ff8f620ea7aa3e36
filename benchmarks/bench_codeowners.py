"""Benchmark: Steward's CODEOWNERS matcher against the PyPI ``codeowners`` package.

    python -m benchmarks.bench_codeowners --monorepos L   # the generated organisation's monorepos
    python -m benchmarks.bench_codeowners [--rules 500] [--paths 100000] [--seed 7]
                                          [--edge-cases] [--layout tree|flat]

Both modes time the two implementations on the same input in the same process (parse + every
lookup, fresh objects), check that the answers are identical on every path, classify every
difference, and print a one-line JSON summary last. Times are wall clock (``*_s``) and CPU
time of this process (``*_cpu_s``: steadier on a shared, loaded machine); each speed-up is the
package's time over Steward's.

``--monorepos S|M|L`` builds, in memory and without git, exactly the monorepos
``benchmarks.generate`` writes for that organisation (same seed, same code): per repository
a ~200-rule CODEOWNERS and its full file list (L: 50 *deep* repositories of ~8 files per
directory and 50 *flat* ones of ~1.4, 2,000 files each). Per shape it reports parse + match
of every file, and the figure as the ``codeowners`` ingest source sees it: a repository
whose HEAD moved is parsed and only its catalog files are matched (``ingest_view``).

The single-file mode generates one realistic monorepo CODEOWNERS (default 500 rules) and file
list (default 100,000 paths) from a fixed seed. ``--layout flat`` puts almost every file in a
directory of its own (the worst case for per-directory caches). ``--edge-cases`` adds lines and
paths where the ``codeowners`` package departs from GitHub's documented behaviour (escaped
spaces, spaces in file names, ``!``/``[ ]`` lines, invalid owners, inline comments naming an
e-mail) so the difference classes show up in the report.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.vocabulary import EXTS, FILES, SUBDIRS, TOP, WORDS
from ingest.codeowners import CodeOwners, Rule, compile_pattern

TEAMS = [f"@acme/{w}-team" for w in WORDS]
USERS = [f"@{w}-dev" for w in WORDS] + ["@octocat", "@doctocat", "@hubot"]
EMAILS = [f"{w}@acme.example.com" for w in WORDS[:8]]


def _owners(rng: random.Random) -> str:
    pool = TEAMS * 3 + USERS + EMAILS
    return " ".join(rng.sample(pool, rng.choice([1, 1, 1, 2, 2, 3])))


def make_codeowners(rng: random.Random, n_rules: int, edge_cases: bool) -> str:
    services = [f"{w}" for w in WORDS]
    lines = ["# Generated CODEOWNERS for benchmarking", "*  @acme/platform", ""]
    lines += [f"*{ext}  {_owners(rng)}" for ext in (".md", ".tf", ".sql", ".yml")]
    lines += [
        "/README.md @acme/docs-team",
        "/Makefile @octocat",
        "/.github/ @acme/platform @hubot",
        "/.github/workflows/ci.yml @octocat",
        "docs/* docs@acme.example.com",
        "/docs/ @doctocat",
        "**/logs @octocat",
        "**/migrations/ @acme/dba-team",
        "node_modules/",
        "generated/",
        "*.test.js @acme/qa-team",
        "/services/*/config/*.yml @acme/sre-team",
        "/services/**/Dockerfile @acme/sre-team",
        "/libs/**/tests/ @acme/qa-team",
        "/infra/**/*.tf @acme/sre-team @octocat",
        "/apps/*/package.json @acme/web-team",
        "/packages/*/ @acme/web-team",
        "/tools/*  @hubot",
        "scripts/ @acme/platform",
        "/*.json @acme/web-team",
    ]
    if edge_cases:
        lines += [
            "/docs/release\\ notes/ @acme/docs-team",
            "space\\ name.txt @hubot",
            "!/services/auth/ @nobody",
            "/services/[ab]*/ @nobody",
            "\\#notes.md @nobody",
            "/apps/legacy/ legacy-team",
            "/apps/retired/  # ask ops@acme.example.com",
        ]
    while len([ln for ln in lines if ln and not ln.startswith("#")]) < n_rules:
        top = rng.choice(TOP)
        svc = rng.choice(services)
        kind = rng.random()
        if kind < 0.40:
            pat = f"/{top}/{svc}/"
        elif kind < 0.65:
            pat = f"/{top}/{svc}/{rng.choice(SUBDIRS)}/"
        elif kind < 0.72:
            pat = f"/{top}/{svc}/{rng.choice(SUBDIRS)}/*"
        elif kind < 0.80:
            pat = f"/{top}/{svc}/**/{rng.choice(FILES)}{rng.choice(EXTS)}"
        elif kind < 0.86:
            pat = f"{top}/{svc}/{rng.choice(SUBDIRS)}/*{rng.choice(EXTS[:-1])}"
        elif kind < 0.90:
            pat = f"/{top}/{svc}/{rng.choice(SUBDIRS)}/{rng.choice(FILES)}{rng.choice(EXTS)}"
        elif kind < 0.94:
            pat = f"/{top}/*/{rng.choice(SUBDIRS)}/"
        elif kind < 0.97:
            pat = f"{rng.choice(FILES)}{rng.choice(EXTS)}"
        else:
            pat = f"/{top}/{svc}/{rng.choice(SUBDIRS)}/"
            lines.append(pat)  # ownerless: clears ownership
            continue
        lines.append(f"{pat}  {_owners(rng)}")
    return "\n".join(lines) + "\n"


def make_tree(rng: random.Random, n_dirs: int) -> list[str]:
    """A monorepo-shaped directory tree: top-level areas, one directory per component, and
    nested source directories below them (about ``n_dirs`` directories in all)."""
    dirs = ["", "docs", "docs/guides", "scripts", ".github", ".github/workflows", "tools"]
    frontier: list[tuple[str, int]] = []
    for top in TOP:
        dirs.append(top)
        for w in WORDS:
            dirs.append(f"{top}/{w}")
            frontier.append((f"{top}/{w}", 2))
    while frontier and len(dirs) < n_dirs:
        parent, depth = frontier.pop(rng.randrange(len(frontier)))
        for child in rng.sample(SUBDIRS, rng.choice([1, 2, 3, 4, 6])):
            d = f"{parent}/{child}"
            dirs.append(d)
            if depth < 9:
                frontier.append((d, depth + 1))
    return dirs


def make_flat_dirs(rng: random.Random, n_dirs: int) -> list[str]:
    """Adversarial layout: random directory chains, so nearly every file gets a directory of
    its own and the per-directory caches rarely hit."""
    return [
        "/".join(
            [rng.choice(TOP), rng.choice(WORDS)]
            + [rng.choice(SUBDIRS) for _ in range(rng.choice([0, 1, 2, 3, 4, 5]))]
        )
        for _ in range(n_dirs)
    ]


def make_paths(
    rng: random.Random, n_paths: int, edge_cases: bool, layout: str = "tree"
) -> list[str]:
    """``n_paths`` distinct files: with layout "tree" about eight per directory, as in a real
    checkout; with "flat" almost one per directory (the worst case for our caches)."""
    if layout == "flat":
        dirs = make_flat_dirs(rng, n_paths)
    else:
        dirs = make_tree(rng, max(8, n_paths // 8))
    seen: set[str] = set()
    paths: list[str] = []
    while len(paths) < n_paths:
        d = rng.choice(dirs)
        name = rng.choice(FILES) + rng.choice(EXTS)
        if rng.random() < 0.05:
            name = name.replace(".", ".test.", 1) if "." in name else name + ".test.js"
        if edge_cases and rng.random() < 0.01:
            name = name.replace("_", " ") if "_" in name else "space name.txt"
            if rng.random() < 0.5:
                d = "docs/release notes"
        path = f"{d}/{name}" if d else name
        if path not in seen:
            seen.add(path)
            paths.append(path)
    if edge_cases:
        paths[:6] = [
            "apps/legacy/main.py",
            "apps/retired/README.md",
            "services/auth/main.go",
            "services/billing/api/x.py",
            "#notes.md",
            "!/services/auth/x",
        ]
    return paths


# ---------------------------------------------------------------------------------------------


def classify_difference(path: str, ours_line: str, package_line: str) -> str:
    """Name the known departure from GitHub behind one differing answer."""
    if "\\ " in ours_line or "\\ " in package_line:
        return (
            "package: an escaped space becomes '/' * 20, which anchors an otherwise "
            "floating pattern to the repository root"
        )
    if " " in path:
        return (
            "package: spaces in the path are replaced by '/' * 20 before matching, so a space "
            "acts as a directory separator (e.g. 'space name.txt' matches pattern 'name.txt')"
        )
    stripped = package_line.strip()
    words = stripped.split()
    if stripped.startswith("!"):
        return "package: '!' negation lines are matched as a literal '!' (GitHub skips them)"
    if words and "[" in words[0]:
        return "package: '[ ]' ranges are used as regex classes (GitHub skips the line)"
    if stripped.startswith("\\#"):
        return "package: a leading '\\#' is matched as '#' (GitHub skips the line)"
    if any(w.startswith("#") for w in words[1:]):
        return "package: words of an inline comment that look like owners are kept as owners"
    if any("@" not in w for w in words[1:]):
        return "package: invalid owners are dropped but the line is kept (GitHub skips the line)"
    return "unclassified"


def run(
    n_rules: int, n_paths: int, seed: int, edge_cases: bool, layout: str = "tree"
) -> dict[str, object]:
    from codeowners import CodeOwners as PackageCodeOwners  # the reference implementation

    rng = random.Random(seed)
    text = make_codeowners(rng, n_rules, edge_cases)
    paths = make_paths(rng, n_paths, edge_cases, layout)

    def timed(fn: Callable[[], object]) -> tuple[float, object]:
        t0 = time.perf_counter()
        out = fn()
        return time.perf_counter() - t0, out

    t_parse_ours, ours_obj = timed(lambda: CodeOwners.parse(text))
    assert isinstance(ours_obj, CodeOwners)
    ours = ours_obj
    t_match_ours, ours_rules_obj = timed(lambda: [ours.rule_for(p) for p in paths])
    ours_rules: list[Rule | None] = ours_rules_obj  # type: ignore[assignment]

    t_parse_pkg, pkg_obj = timed(lambda: PackageCodeOwners(text))
    pkg: PackageCodeOwners = pkg_obj  # type: ignore[assignment]
    t_match_pkg, pkg_answers_obj = timed(lambda: [pkg.matching_line(p) for p in paths])
    pkg_answers: list[tuple[list[tuple[str, str]], int | None, str | None, str | None]]
    pkg_answers = pkg_answers_obj  # type: ignore[assignment]

    lines = text.split("\n")
    classes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for path, ours_rule, (pkg_owners, pkg_line, _, _) in zip(
        paths, ours_rules, pkg_answers, strict=True
    ):
        ours_owners = list(ours_rule.owners) if ours_rule else []
        if ours_owners == [o for _, o in pkg_owners]:
            continue
        cls = classify_difference(
            path,
            lines[ours_rule.line - 1] if ours_rule else "",
            lines[pkg_line - 1] if pkg_line is not None else "",
        )
        classes[cls] += 1
        examples.setdefault(
            cls, f"{path!r}: ours line {ours_rule.line if ours_rule else None}, pkg {pkg_line}"
        )

    total_ours = t_parse_ours + t_match_ours
    total_pkg = t_parse_pkg + t_match_pkg
    report: dict[str, object] = {
        "benchmark": "codeowners",
        "rules": len(ours.rules),
        "paths": len(paths),
        "seed": seed,
        "edge_cases": edge_cases,
        "layout": layout,
        "directories": len({p.rpartition("/")[0] for p in paths}),
        "steward_parse_s": round(t_parse_ours, 4),
        "steward_match_s": round(t_match_ours, 4),
        "steward_total_s": round(total_ours, 4),
        "package_parse_s": round(t_parse_pkg, 4),
        "package_match_s": round(t_match_pkg, 4),
        "package_total_s": round(total_pkg, 4),
        "steward_us_per_path": round(t_match_ours / len(paths) * 1e6, 3),
        "package_us_per_path": round(t_match_pkg / len(paths) * 1e6, 3),
        "speedup": round(total_pkg / total_ours, 1),
        "differences": sum(classes.values()),
        "difference_classes": dict(classes),
        "difference_examples": examples,
        "steward_problems": len(ours.problems),
    }
    return report


@dataclass
class _Clock:
    """Wall and CPU seconds spent inside ``with clock:`` blocks."""

    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def __exit__(self, *_: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


@dataclass
class MonorepoInput:
    name: str
    shape: str
    codeowners: str
    paths: list[str]
    catalog_files: list[str]


def generated_monorepos(size: str = "L", seed: int = 7) -> list[MonorepoInput]:
    """The monorepos (with a CODEOWNERS) that ``benchmarks.generate`` writes for organisation
    ``size``, built in memory by the generator's own code."""
    from benchmarks import generate

    rng = random.Random(seed)
    org = generate._org(generate.SIZES[size], rng)
    repos, _ = generate._repos(generate.SIZES[size], org, rng)
    out = []
    for repo in repos:
        text = next((t for p, t in repo.files.items() if p.endswith("CODEOWNERS")), None)
        if repo.shape is None or text is None:
            continue
        catalog = sorted(p for p in repo.files if p.endswith("catalog-info.yaml"))
        out.append(MonorepoInput(repo.name, repo.shape, text, list(repo.tree_only), catalog))
    return out


def _owners_differ(ours: Rule | None, package_owners: Sequence[tuple[str, str]]) -> bool:
    return (list(ours.owners) if ours else []) != [o for _, o in package_owners]


@dataclass
class _ShapeTotals:
    ours: _Clock = field(default_factory=_Clock)
    pkg: _Clock = field(default_factory=_Clock)
    ours_parse: _Clock = field(default_factory=_Clock)
    pkg_parse: _Clock = field(default_factory=_Clock)
    ingest_ours: _Clock = field(default_factory=_Clock)
    ingest_pkg: _Clock = field(default_factory=_Clock)
    repositories: int = 0
    paths: int = 0
    rules: int = 0
    directories: int = 0
    catalog_files: int = 0
    differences: int = 0

    def report(self) -> dict[str, object]:
        n_repos = max(self.repositories, 1)
        n_paths = max(self.paths, 1)
        ours, pkg = self.ours, self.pkg
        return {
            "repositories": self.repositories,
            "rules_per_repository": round(self.rules / n_repos),
            "paths": self.paths,
            "files_per_dir": round(self.paths / max(self.directories, 1), 2),
            "steward_s": round(ours.wall, 4),
            "package_s": round(pkg.wall, 4),
            "steward_cpu_s": round(ours.cpu, 4),
            "package_cpu_s": round(pkg.cpu, 4),
            "steward_parse_cpu_s": round(self.ours_parse.cpu, 4),
            "package_parse_cpu_s": round(self.pkg_parse.cpu, 4),
            "steward_us_per_path_cpu": round((ours.cpu - self.ours_parse.cpu) / n_paths * 1e6, 3),
            "package_us_per_path_cpu": round((pkg.cpu - self.pkg_parse.cpu) / n_paths * 1e6, 3),
            "speedup": round(pkg.wall / max(ours.wall, 1e-9), 1),
            "speedup_cpu": round(pkg.cpu / max(ours.cpu, 1e-9), 1),
            "ingest_view": {
                "catalog_files": self.catalog_files,
                "steward_ms_per_repository_cpu": round(self.ingest_ours.cpu / n_repos * 1e3, 3),
                "package_ms_per_repository_cpu": round(self.ingest_pkg.cpu / n_repos * 1e3, 3),
                "speedup_cpu": round(self.ingest_pkg.cpu / max(self.ingest_ours.cpu, 1e-9), 1),
            },
            "differences": self.differences,
        }


def run_monorepos(size: str = "L", seed: int = 7) -> dict[str, object]:
    """Parse + match of every generated monorepo's CODEOWNERS and file list, per tree shape
    (the repositories in the organisation's order, deep and flat ones interleaved as
    generated, so that both shapes share what a process learns on the way, such as owners
    already classified)."""
    from codeowners import CodeOwners as PackageCodeOwners

    monorepos = generated_monorepos(size, seed)
    # the inputs (100 lists of 2,000 paths, the generator's leftovers) are not traversed by
    # every full garbage collection during the timed loops
    gc.collect()
    gc.freeze()
    totals = {"deep": _ShapeTotals(), "flat": _ShapeTotals()}
    for repo in monorepos:
        t = totals[repo.shape]
        re.purge()
        compile_pattern.cache_clear()
        with t.ours:
            with t.ours_parse:
                matcher = CodeOwners.parse(repo.codeowners)
            mine = [matcher.rule_for(p) for p in repo.paths]
        re.purge()
        with t.pkg:
            with t.pkg_parse:
                package = PackageCodeOwners(repo.codeowners)
            theirs = [package.matching_line(p) for p in repo.paths]
        t.differences += sum(
            _owners_differ(rule, answer[0]) for rule, answer in zip(mine, theirs, strict=True)
        )
        # as the ingest source sees it: parse, then only the catalog files (regex and
        # pattern caches emptied first: each repository is parsed once per HEAD move)
        re.purge()
        compile_pattern.cache_clear()
        with t.ingest_ours:
            matcher = CodeOwners.parse(repo.codeowners)
            mine = [matcher.rule_for(p) for p in repo.catalog_files]
        re.purge()
        with t.ingest_pkg:
            package = PackageCodeOwners(repo.codeowners)
            theirs = [package.matching_line(p) for p in repo.catalog_files]
        t.differences += sum(
            _owners_differ(rule, answer[0]) for rule, answer in zip(mine, theirs, strict=True)
        )
        t.repositories += 1
        t.paths += len(repo.paths)
        t.rules += len(matcher.rules)
        t.catalog_files += len(repo.catalog_files)
        t.directories += len({p.rpartition("/")[0] for p in repo.paths})
    gc.unfreeze()
    return {
        "benchmark": "codeowners-monorepos",
        "size": size,
        "seed": seed,
        **{shape: t.report() for shape, t in totals.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rules", type=int, default=500)
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--edge-cases", action="store_true")
    ap.add_argument("--layout", choices=["tree", "flat"], default="tree")
    ap.add_argument(
        "--monorepos",
        choices=["S", "M", "L"],
        help="measure the monorepos benchmarks.generate writes for this organisation instead",
    )
    args = ap.parse_args(argv)
    if args.monorepos:
        print(json.dumps(run_monorepos(args.monorepos, args.seed)))
        return 0
    report = run(args.rules, args.paths, args.seed, args.edge_cases, args.layout)
    for cls, n in dict(report["difference_classes"]).items():  # type: ignore[call-overload]
        print(f"# {n:>6} differences: {cls}", file=sys.stderr)
    print(json.dumps(report, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
