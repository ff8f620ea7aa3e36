"""Pattern matching and last-match-wins lookup, against GitHub's documented behaviour."""

from __future__ import annotations

import random

import pytest

from ingest.codeowners import CodeOwners, Kind, Mode, compile_pattern
from ingest.codeowners.matcher import _fast_shape, _lex_pattern, _shape_of_segments

# --------------------------------------------------------------------------------------------
# GitHub's "About code owners" example file, verbatim (including its inline comment).

GITHUB_EXAMPLE = """\
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
"""

GLOBAL = ["@global-owner1", "@global-owner2"]


def test_github_example_parses_cleanly() -> None:
    co = CodeOwners.parse(GITHUB_EXAMPLE)
    assert co.problems == []
    assert [r.pattern for r in co.rules] == [
        "*",
        "*.js",
        "*.go",
        "*.txt",
        "/build/logs/",
        "docs/*",
        "apps/",
        "/docs/",
        "/scripts/",
        "**/logs",
        "/apps/",
        "/apps/github",
        "/apps/",
        "/apps/github",
    ]
    assert co.rules[0].owners == GLOBAL
    assert co.rules[1].owners == ["@js-owner"]  # the inline comment is not an owner
    assert co.rules[0].line == 8
    assert co.rules[1].line == 14


@pytest.mark.parametrize(
    ("path", "owners", "line"),
    [
        ("README.md", GLOBAL, 8),
        ("src/main.c", GLOBAL, 8),
        ("index.js", ["@js-owner"], 14),
        ("src/web/app.js", ["@js-owner"], 14),
        ("main.go", ["docs@example.com"], 19),
        ("cmd/tool/main.go", ["docs@example.com"], 19),
        ("notes.txt", ["@octo-org/octocats"], 25),
        ("a/b/c/notes.txt", ["@octo-org/octocats"], 25),
        ("build/logs/output.log", ["@octocat"], 53),  # **/logs comes later
        ("build/logs/2024/01/output.log", ["@octocat"], 53),
        ("build/output.log", GLOBAL, 8),
        ("x/build/logs/a.bin", ["@octocat"], 53),  # only via **/logs
        ("docs/getting-started.md", ["@doctocat"], 44),  # /docs/ is later than docs/*
        ("docs/build-app/troubleshooting.md", ["@doctocat"], 44),
        ("x/docs/getting-started.md", GLOBAL, 8),  # docs/* and /docs/ are anchored
        ("apps/web/index.html", ["@octocat"], 64),
        ("apps/github/ci.yml", ["@doctocat"], 65),
        ("apps/github/deep/er/file.go", ["@doctocat"], 65),
        ("apps/githubber/x", ["@octocat"], 64),
        ("src/apps/x.go", ["@octocat"], 39),  # apps/ anywhere
        ("a/b/apps/c/d.txt", ["@octocat"], 39),
        ("scripts/deploy.sh", ["@doctocat", "@octocat"], 48),
        ("scripts/logs/run.log", ["@octocat"], 53),
        ("deeply/nested/logs/x.txt", ["@octocat"], 53),
        ("logs/today.txt", ["@octocat"], 53),
        ("logs", ["@octocat"], 53),  # a file named logs
        ("catalogs/x", GLOBAL, 8),
        ("apps", GLOBAL, 8),  # a file named apps is not a directory
    ],
)
def test_github_example_owners(path: str, owners: list[str], line: int) -> None:
    co = CodeOwners.parse(GITHUB_EXAMPLE)
    rule = co.rule_for(path)
    assert rule is not None
    assert rule.line == line
    assert co.owners_for(path) == owners


def test_github_example_no_owner_rule_clears() -> None:
    # Only the first /apps/ block: /apps/github has no owners and wins for its subtree.
    text = "*  @global\n/apps/ @octocat\n/apps/github\n"
    co = CodeOwners.parse(text)
    assert co.owners_for("apps/github/ci.yml") == []
    rule = co.rule_for("apps/github/ci.yml")
    assert rule is not None and rule.line == 3 and rule.owners == []
    assert co.owners_for("apps/web/x.js") == ["@octocat"]
    assert co.owners_for("README") == ["@global"]


def test_docs_star_does_not_match_nested() -> None:
    co = CodeOwners.parse("docs/*  docs@example.com\n")
    assert co.owners_for("docs/getting-started.md") == ["docs@example.com"]
    assert co.owners_for("docs/build-app/troubleshooting.md") == []
    assert co.rule_for("docs/build-app/troubleshooting.md") is None


def test_build_logs_rule() -> None:
    co = CodeOwners.parse("/build/logs/ @doctocat\n")
    assert co.owners_for("build/logs/a") == ["@doctocat"]
    assert co.owners_for("build/logs/a/b/c") == ["@doctocat"]
    assert co.owners_for("x/build/logs/a") == []
    assert co.owners_for("build/logs") == []  # a file, not the directory
    assert co.owners_for("build/logsx/a") == []


def test_second_protection_example_last_wins() -> None:
    text = "/apps/ @doctocat\n/apps/ @doctocat @octocat\n/apps/ @example-org/content-team\n"
    co = CodeOwners.parse(text)
    assert co.owners_for("apps/a.txt") == ["@example-org/content-team"]
    rule = co.rule_for("apps/x/y")
    assert rule is not None and rule.line == 3


# --------------------------------------------------------------------------------------------
# Every pattern form (one table: pattern -> {path: matches?}).

PATTERN_TABLE: dict[str, dict[str, bool]] = {
    # bare name: any depth, file or directory
    "foo": {
        "foo": True,
        "foo.txt": False,
        "foo/bar": True,
        "bar/foo": True,
        "bar/foo.txt": False,
        "bar/baz": False,
        "bar/foo/baz": True,
        "xfoo": False,
        "foox/a": False,
    },
    "/foo": {
        "foo": True,
        "fool.txt": False,
        "foo/bar": True,
        "bar/foo": False,
        "foo/bar/baz": True,
        "bar/foo/baz": False,
    },
    "foo/": {
        "foo": False,
        "foo/bar": True,
        "foo/bar/baz": True,
        "bar/foo": False,
        "bar/foo/baz": True,
        "bar/foo/baz/qux": True,
    },
    "/foo/": {
        "foo": False,
        "foo/bar": True,
        "foo/bar/baz": True,
        "bar/foo": False,
        "bar/foo/baz": False,
    },
    "foo/bar": {
        "foo/bar": True,
        "foo/bart": False,
        "foo/bar/baz": True,
        "baz/foo/bar": False,
        "baz/foo/bar/qux": False,
    },
    "/foo/bar": {"foo/bar": True, "foo/bar/baz": True, "baz/foo/bar": False},
    "foo/bar/": {
        "foo/bar": False,
        "foo/bar/baz": True,
        "foo/bar/baz/qux": True,
        "baz/foo/bar/qux": False,
    },
    "/foo/bar/": {"foo/bar": False, "foo/bar/baz": True, "baz/foo/bar/qux": False},
    "*": {"foo": True, "foo/bar": True, "bar/foo/baz": True, ".hidden": True, "a/.b/c": True},
    "f*": {
        "foo": True,
        "foo/bar": True,
        "bar/foo": True,
        "bar/foo/baz": True,
        "bar/baz": False,
        "xfoo": False,
        "f": True,
    },
    "/*": {"foo": True, "bar.txt": True, "foo/bar": False, "foo/bar/baz": False},
    "/f*": {"foo": True, "foo/bar": True, "bar/foo": False, "xfoo": False},
    "f*/": {"foo": False, "foo/bar": True, "bar/foo": False, "bar/foo/baz": True},
    "/*/": {"foo": False, "foo/bar": True, "bar/foo/baz": True},
    "/f*/": {"foo": False, "foo/bar": True, "bar/foo/baz": False},
    "foo/*": {
        "foo": False,
        "foo/bar": True,
        "foo/bar/baz": False,
        "bar/foo": False,
        "bar/foo/baz": False,
    },
    "/foo/*": {"foo/bar": True, "foo/bar/baz": False, "x/foo/bar": False},
    "foo/*.txt": {
        "foo/bar.txt": True,
        "foo/bar/baz.txt": False,
        "qux/foo/bar.txt": False,
        "foo/.txt": True,
        "foo/a.txt/b": True,  # a directory named a.txt: everything beneath it
    },
    "foo/*/baz": {
        "foo": False,
        "foo/bar": False,
        "foo/baz": False,
        "foo/bar/baz": True,
        "foo/bar/baz/qux": True,
        "foo/a/b/baz": False,
    },
    "*.js": {
        "a.js": True,
        "a/b/c.js": True,
        "a.jsx": False,
        "a.js.map": False,
        "x.js/inner.txt": True,
        ".js": True,
        "js": False,
    },
    "*.test.js": {"a.test.js": True, "a/b.test.js": True, "a.js": False, "test.js": False},
    "f?o": {"foo": True, "fo": False, "fooo": False, "f/o": False, "a/fxo": True},
    "f\\?o": {"foo": False, "f?o": True},
    "f\\*o": {"foo": False, "f*o": True},
    "**/foo/bar": {
        "foo/bar": True,
        "qux/foo/bar": True,
        "qux/foo/bar/baz": True,
        "foo/baz/bar": False,
        "qux/foo/baz/bar": False,
    },
    "**/*bar*": {
        "bar": True,
        "foo/bar": True,
        "foo/rebar": True,
        "foo/barrio": True,
        "foo/qux/bar": True,
        "foo/baz": False,
    },
    "**/logs": {
        "logs": True,
        "logs/x": True,
        "build/logs/x": True,
        "a/b/c/logs/d/e": True,
        "logsx/a": False,
        "a/xlogs": False,
    },
    "foo/bar/**": {
        "foo/bar": False,
        "foo/bar/baz": True,
        "foo/bar/baz/qux": True,
        "qux/foo/bar": False,
        "qux/foo/bar/baz": False,
    },
    "foo/**/bar": {
        "foo/bar": True,
        "foo/bar/baz": True,
        "foo/qux/bar/baz": True,
        "foo/qux/quux/bar/baz": True,
        "foo/bar/baz/qux": True,
        "qux/foo/bar": False,
        "foo/xbar": False,
    },
    "foo/**/": {"foo": False, "foo/bar": False, "foo/bar/baz": True, "foo/a/b/c": True},
    "foo/**/bar/b*": {
        "foo/bar": False,
        "foo/bar/baz": True,
        "foo/bar/qux": False,
        "foo/qux/bar": False,
        "foo/qux/bar/baz": True,
        "foo/qux/bar/qux": False,
    },
    "/src/**/*.py": {
        "src/a.py": True,
        "src/x/y/a.py": True,
        "a/src/x.py": False,
        "src/a.pyc": False,
    },
    "**": {"a": True, "a/b/c": True},
    "/**": {"a": True, "a/b/c": True},
    "**/": {"a": False, "a/b": True, "a/b/c": True},
    "**/*": {"a": True, "a/b": True},
    "a/**/**/b": {"a/b": True, "a/x/b": True, "a/x/y/b/c": True, "b": False},
    "foo**bar": {"foobar": True, "fooxbar": True, "foo/bar": False, "x/fooxbar": True},
    "a/**b": {"a/b": True, "a/xb": True, "a/x/b": False},
    "***": {"a": True, "a/b": True},
    "docs/**/*.md": {"docs/a.md": True, "docs/x/y/a.md": True, "docs/a.txt": False},
    "path\\ with\\ spaces/": {
        "path with spaces/a": True,
        "x/path with spaces/a": True,
        "path/a": False,
    },
    "my\\ file.txt": {"my file.txt": True, "a/my file.txt": True, "file.txt": False},
    "foo\\#bar": {"foo#bar": True, "a/foo#bar": True, "foo": False},
    "a#b": {"a#b": True, "a": False},
    "\\!important.txt": {"!important.txt": True, "important.txt": False},
    "foo]": {"foo]": True},
    "\\[x\\]": {"[x]": True, "x": False},
    "CamelCase.md": {"CamelCase.md": True, "camelcase.md": False},  # case sensitive
    "/README.md": {"README.md": True, "docs/README.md": False},
    ".github/": {".github/workflows/ci.yml": True, "a/.github/x": True, ".github": False},
    "/a/b/c/d/e": {"a/b/c/d/e": True, "a/b/c/d/e/f": True, "a/b/c/d": False},
    "/a/*/c/*/e": {"a/b/c/d/e": True, "a/b/c/d/e/f": True, "a/b/c/e": False},
    "a*b*c": {"abc": True, "aXbYc": True, "aXbY/c": False, "acb": False, "abcc": True},
    "*a*a*a*b": {"aaab": True, "xaayaab": True, "aab": False, "aaaa": False},
    "?": {"a": True, "ab": False, "a/b": True},
    "/?/": {"a/b": True, "ab/c": False},
    ".*": {".env": True, "a/.gitignore": True, "env": False},
}

PATTERN_CASES = [
    (pattern, path, expected)
    for pattern, paths in PATTERN_TABLE.items()
    for path, expected in paths.items()
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PATTERN_CASES)
def test_pattern_table(pattern: str, path: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(path) is expected
    # The indexed lookup must agree with the single-pattern matcher.
    co = CodeOwners.parse(f"{pattern} @owner\n")
    assert co.problems == []
    assert co.owners_for(path) == (["@owner"] if expected else [])
    assert (co.rule_for(path) is not None) is expected


@pytest.mark.parametrize(
    ("pattern", "mode", "anchored"),
    [
        ("foo", Mode.FILE_OR_DIR, False),
        ("*.js", Mode.FILE_OR_DIR, False),
        ("/foo", Mode.FILE_OR_DIR, True),
        ("foo/bar", Mode.FILE_OR_DIR, True),
        ("foo/", Mode.DIR_ONLY, False),
        ("/foo/", Mode.DIR_ONLY, True),
        ("foo/**", Mode.DIR_ONLY, True),
        ("docs/*", Mode.EXACT, True),
        ("/*", Mode.EXACT, True),
        ("*", Mode.FILE_OR_DIR, False),
        ("**/logs", Mode.FILE_OR_DIR, False),
        ("**/a/b", Mode.FILE_OR_DIR, True),
    ],
)
def test_pattern_shape(pattern: str, mode: Mode, anchored: bool) -> None:
    compiled = compile_pattern(pattern)
    assert compiled.mode is mode
    assert compiled.anchored is anchored


# --------------------------------------------------------------------------------------------
# Lookup semantics


def test_last_match_wins_regardless_of_specificity() -> None:
    co = CodeOwners.parse("/src/app/main.py @specific\n*.py @python\n")
    assert co.owners_for("src/app/main.py") == ["@python"]
    co = CodeOwners.parse("*.py @python\n/src/app/main.py @specific\n")
    assert co.owners_for("src/app/main.py") == ["@specific"]
    assert co.owners_for("src/app/other.py") == ["@python"]


def test_later_broad_rule_overrides_earlier_narrow_ones() -> None:
    co = CodeOwners.parse("/a/b/c/ @deep\n/a/b/ @mid\n/a/ @top\n")
    for p in ("a/x", "a/b/x", "a/b/c/x", "a/b/c/d/e"):
        assert co.owners_for(p) == ["@top"]
    co = CodeOwners.parse("/a/ @top\n/a/b/ @mid\n/a/b/c/ @deep\n")
    assert co.owners_for("a/x") == ["@top"]
    assert co.owners_for("a/b/x") == ["@mid"]
    assert co.owners_for("a/b/c/x") == ["@deep"]
    assert co.owners_for("a/b/c/d/e") == ["@deep"]


def test_all_owners_in_order() -> None:
    co = CodeOwners.parse("* @z @a docs@example.com @org/team @a\n")
    assert co.owners_for("x") == ["@z", "@a", "docs@example.com", "@org/team", "@a"]


def test_owners_for_returns_a_copy() -> None:
    co = CodeOwners.parse("* @a\n")
    got = co.owners_for("x")
    got.append("@mutated")
    assert co.owners_for("x") == ["@a"]
    assert co.rules[0].owners == ["@a"]


def test_no_rules() -> None:
    co = CodeOwners.parse("")
    assert co.rules == [] and co.problems == []
    assert co.owners_for("a") == []
    assert co.rule_for("a") is None


def test_no_match_vs_ownerless_match() -> None:
    co = CodeOwners.parse("/src/ @dev\n/src/vendor/\n")
    assert co.rule_for("README") is None
    vendor = co.rule_for("src/vendor/lib.c")
    assert vendor is not None and vendor.owners == [] and vendor.line == 2
    assert co.owners_for("src/vendor/lib.c") == []
    assert co.owners_for("src/main.c") == ["@dev"]


def test_ownerless_rule_then_reowned() -> None:
    co = CodeOwners.parse("* @all\n*.lock\n/ui/yarn.lock @ui\n")
    assert co.owners_for("Cargo.lock") == []
    assert co.owners_for("ui/yarn.lock") == ["@ui"]
    assert co.owners_for("ui/x.ts") == ["@all"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("/apps/x.py", ["@apps"]),
        ("./apps/x.py", ["@apps"]),
        ("apps//x.py", ["@apps"]),
        ("apps/./x.py", ["@apps"]),
        ("", []),
        ("/", []),
    ],
)
def test_query_path_normalisation(query: str, expected: list[str]) -> None:
    co = CodeOwners.parse("/apps/ @apps\n")
    assert co.owners_for(query) == expected


def test_directory_query_with_trailing_slash() -> None:
    co = CodeOwners.parse("* @all\n/apps/ @apps\ndocs/* @docs\n/apps/github\n")
    assert co.owners_for("apps/") == ["@apps"]
    assert co.owners_for("apps/github/") == []
    assert co.owners_for("docs/sub/") == ["@all"]  # docs/* does not reach into directories
    assert co.owners_for("other/") == ["@all"]


def test_rule_matches_helper() -> None:
    co = CodeOwners.parse("docs/* @d\n")
    assert co.rules[0].matches("docs/a.md")
    assert not co.rules[0].matches("docs/a/b.md")


def test_many_rules_same_bucket_last_wins() -> None:
    lines = [f"/src/*/m{i}.py @o{i}" for i in range(50)] + ["/src/*/m7.py @late"]
    co = CodeOwners.parse("\n".join(lines))
    assert co.owners_for("src/x/m7.py") == ["@late"]
    assert co.owners_for("src/x/m8.py") == ["@o8"]
    assert co.owners_for("src/x/y/m8.py") == []


def test_caches_do_not_leak_between_paths() -> None:
    co = CodeOwners.parse("* @all\n/a/*.md @md\n/a/b/ @b\nREADME @readme\n")
    seq = [
        ("a/x.md", ["@md"]),
        ("a/x.txt", ["@all"]),
        ("a/b/x.md", ["@b"]),
        ("a/b/README", ["@readme"]),
        ("a/README", ["@readme"]),
        ("a/x.md", ["@md"]),
        ("a/b/c/x.md", ["@b"]),
        ("z/x.md", ["@all"]),
    ]
    for _ in range(3):
        for path, owners in seq:
            assert co.owners_for(path) == owners, path


def test_pathological_pattern_is_fast() -> None:
    co = CodeOwners.parse("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b @x\n")
    assert co.owners_for("a" * 60) == []
    assert co.owners_for("a" * 30 + "c") == []
    assert co.owners_for("x/" + "a" * 30 + "b") == ["@x"]
    assert co.owners_for("a" * 19 + "b") == ["@x"]
    assert co.owners_for("a" * 18 + "b") == []


# --------------------------------------------------------------------------------------------
# Randomised cross-checks


SEGS = ["a", "b", "ab", "src", "docs", "x.py", "y.js", "logs", "a.b"]
PAT_SEGS = [*SEGS, "*", "**", "?", "a*", "*.py", "*b", "?b", "a?", "*.*", "s*c"]


def _random_pattern(rng: random.Random) -> str:
    n = rng.choice([1, 1, 2, 2, 3, 4])
    body = "/".join(rng.choice(PAT_SEGS) for _ in range(n))
    if rng.random() < 0.35:
        body = "/" + body
    if rng.random() < 0.25:
        body += "/"
    return body


def _random_path(rng: random.Random) -> str:
    return "/".join(rng.choice(SEGS) for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5])))


def _naive_rule_line(co: CodeOwners, path: str) -> int | None:
    for rule in reversed(co.rules):
        if rule.matches(path):
            return rule.line
    return None


@pytest.mark.parametrize("seed", range(40))
def test_index_agrees_with_naive_scan(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(f"{_random_pattern(rng)} @o{i}" for i in range(rng.randint(1, 60)))
    co = CodeOwners.parse(text)
    assert co.problems == []
    for _ in range(400):
        path = _random_path(rng)
        rule = co.rule_for(path)
        assert (rule.line if rule else None) == _naive_rule_line(co, path), (text, path)


def _package_answer(text: str, path: str) -> list[str]:
    from codeowners import CodeOwners as PackageCodeOwners

    return [owner for _, owner in PackageCodeOwners(text).of(path)]


@pytest.mark.parametrize("seed", range(300))
def test_agrees_with_codeowners_package(seed: int) -> None:
    """The package follows GitHub for plain patterns (no spaces, ranges, negation, invalid
    owners); on those we must give identical answers."""
    rng = random.Random(1000 + seed)
    text = "\n".join(
        f"{_random_pattern(rng)} {' '.join(f'@o{i}-{k}' for k in range(rng.randint(0, 2)))}"
        for i in range(rng.randint(1, 25))
    )
    from codeowners import CodeOwners as PackageCodeOwners

    package = PackageCodeOwners(text)
    co = CodeOwners.parse(text)
    for _ in range(25):
        path = _random_path(rng)
        expected = [owner for _, owner in package.of(path)]
        assert co.owners_for(path) == expected, (text, path)


@pytest.mark.parametrize(
    "pattern",
    ["*", "*.js", "/build/logs/", "docs/*", "apps/", "/docs/", "**/logs", "/apps/github"],
)
def test_github_example_patterns_agree_with_package(pattern: str) -> None:
    text = f"{pattern} @owner\n"
    for path in (
        "a.js",
        "build/logs/a",
        "docs/a.md",
        "docs/b/c.md",
        "x/apps/y",
        "apps/github/z",
        "deep/logs/q",
        "README",
    ):
        assert CodeOwners.parse(text).owners_for(path) == _package_answer(text, path)


@pytest.mark.parametrize("layout", ["tree", "flat"])
def test_benchmark_inputs_agree_with_package(layout: str) -> None:
    from benchmarks.bench_codeowners import run

    report = run(n_rules=120, n_paths=3000, seed=3, edge_cases=False, layout=layout)
    assert report["differences"] == 0
    assert report["rules"] == 120


def test_generated_monorepos_agree_with_package() -> None:
    from benchmarks.bench_codeowners import run_monorepos

    report = run_monorepos("S")
    for shape in ("deep", "flat"):
        figures = report[shape]
        assert isinstance(figures, dict)
        assert figures["repositories"] >= 1 and figures["paths"] >= 100
        assert figures["differences"] == 0


@pytest.mark.parametrize("seed", range(20))
def test_shape_from_the_string_agrees_with_the_lexer(seed: int) -> None:
    """Plain patterns are classified straight from the string; the lexer's segments must give
    the same mode, kind, key and last-segment test."""
    rng = random.Random(500 + seed)
    checked = 0
    for _ in range(300):
        pattern = _random_pattern(rng)
        fast = _fast_shape(pattern)
        if fast is None:
            continue
        mode, segments = _lex_pattern(pattern)
        assert fast == _shape_of_segments(mode, segments), pattern
        checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("/apps/", Kind.LITERAL),
        ("docs/README.md", Kind.LITERAL),
        ("logs", Kind.NAME),
        ("*.js", Kind.NAME),
        ("**/logs/", Kind.NAME),
        ("**/*", Kind.NAME),
        ("/docs/*", Kind.PARENT),
        ("/*.json", Kind.PARENT),
        ("src/*/", Kind.PARENT),
        ("/apps/**/Dockerfile", Kind.UNDER),
        ("/apps/**/*.tf", Kind.GLOB),
        ("/services/*/config/", Kind.GLOB),
        ("**", Kind.GLOB),
        ("a/**/b/**/c", Kind.GLOB),
    ],
)
def test_pattern_kinds(pattern: str, kind: Kind) -> None:
    assert compile_pattern(pattern).kind is kind


def test_each_kind_last_match_wins_across_kinds() -> None:
    text = "\n".join(
        [
            "* @any",
            "/apps/**/Dockerfile @under",
            "/apps/web/*.py @parent",
            "*.py @ext",
            "/apps/web/ @literal",
            "/apps/*/x/ @glob",
            "Dockerfile @name",
        ]
    )
    co = CodeOwners.parse(text)
    assert co.owners_for("apps/web/main.py") == ["@literal"]
    assert co.owners_for("apps/web/x/main.py") == ["@glob"]
    assert co.owners_for("apps/web/Dockerfile") == ["@name"]
    assert co.owners_for("apps/api/main.py") == ["@ext"]
    assert co.owners_for("apps/api/x/Dockerfile") == ["@name"]
    assert co.owners_for("apps/api/main.go") == ["@any"]
    assert co.owners_for("apps/api/Dockerfile.dev") == ["@any"]
    # a directory named like a file: *.py matches it, so everything beneath
    assert co.owners_for("apps/api/lib.py/main.go") == ["@ext"]


def test_extension_rules_need_the_last_dot() -> None:
    co = CodeOwners.parse("* @any\n*.js @js\n*.test.js @test\n*. @dot\n")
    assert co.owners_for("a/b.js") == ["@js"]
    assert co.owners_for("a/b.test.js") == ["@test"]
    assert co.owners_for("a/b.js.map") == ["@any"]
    assert co.owners_for("a/.js") == ["@js"]
    assert co.owners_for("a/b.") == ["@dot"]
    assert co.owners_for("a/js") == ["@any"]


def test_benchmark_edge_cases_only_differ_where_package_departs_from_github() -> None:
    from benchmarks.bench_codeowners import run

    report = run(n_rules=120, n_paths=3000, seed=3, edge_cases=True)
    classes = report["difference_classes"]
    assert isinstance(classes, dict)
    assert "unclassified" not in classes
