"""CODEOWNERS line parsing: comments, escapes, owners, invalid and unsupported lines."""

from __future__ import annotations

import random

import pytest

from catalog.model import Problem
from ingest.codeowners import CodeOwners, PatternError, Rule, classify_owner, compile_pattern


def _rules(text: str) -> list[tuple[str, list[str], int]]:
    return [(r.pattern, r.owners, r.line) for r in CodeOwners.parse(text).rules]


def _problem_lines(text: str) -> list[int | None]:
    return [p.line for p in CodeOwners.parse(text).problems]


# --------------------------------------------------------------------------------------------
# Comments, blank lines, whitespace


def test_comments_and_blank_lines_are_ignored() -> None:
    text = "# comment\n\n   \n\t\n  # indented comment\n* @a\n#* @b\n"
    assert _rules(text) == [("*", ["@a"], 6)]
    assert CodeOwners.parse(text).problems == []


def test_inline_comment_after_owners() -> None:
    assert _rules("*.js    @js-owner #This is an inline comment.\n") == [("*.js", ["@js-owner"], 1)]


def test_inline_comment_with_owner_like_words_is_ignored() -> None:
    text = "/ops/ @ops # ask ops@example.com or @someone\n"
    assert _rules(text) == [("/ops/", ["@ops"], 1)]


def test_inline_comment_right_after_pattern_leaves_no_owners() -> None:
    assert _rules("/vendor/ # third party\n") == [("/vendor/", [], 1)]


def test_hash_inside_pattern_is_literal() -> None:
    co = CodeOwners.parse("a#b @x\n")
    assert _rules("a#b @x\n") == [("a#b", ["@x"], 1)]
    assert co.owners_for("a#b") == ["@x"]


def test_escaped_hash_inside_pattern() -> None:
    co = CodeOwners.parse("foo\\#bar @x\n")
    assert co.problems == []
    assert co.rules[0].pattern == "foo\\#bar"
    assert co.owners_for("foo#bar") == ["@x"]


def test_tabs_and_multiple_spaces_separate() -> None:
    assert _rules("*.py\t@a \t @b\t\n") == [("*.py", ["@a", "@b"], 1)]


def test_leading_whitespace_is_ignored() -> None:
    assert _rules("   /src/ @a\n") == [("/src/", ["@a"], 1)]


def test_crlf_line_endings() -> None:
    text = "* @a\r\n/docs/ @b\r\n\r\n# c\r\n/x/ @c\r\n"
    assert _rules(text) == [("*", ["@a"], 1), ("/docs/", ["@b"], 2), ("/x/", ["@c"], 5)]


def test_bom_is_ignored() -> None:
    assert _rules("\ufeff* @a\n") == [("*", ["@a"], 1)]


def test_no_trailing_newline() -> None:
    assert _rules("* @a") == [("*", ["@a"], 1)]


def test_bytes_input() -> None:
    co = CodeOwners.parse(b"* @a\n/docs/ docs@example.com\n")
    assert co.owners_for("docs/x") == ["docs@example.com"]


def test_line_numbers_count_every_line() -> None:
    text = "\n".join(["# c"] * 9 + ["* @a", "", "/a/ @b"])
    assert [r.line for r in CodeOwners.parse(text).rules] == [10, 12]


# --------------------------------------------------------------------------------------------
# Escapes


def test_escaped_spaces_in_pattern() -> None:
    co = CodeOwners.parse("path\\ with\\ spaces/ @space-owner\n")
    assert co.problems == []
    assert co.rules[0].pattern == "path\\ with\\ spaces/"
    assert co.rules[0].owners == ["@space-owner"]
    assert co.owners_for("path with spaces/a.txt") == ["@space-owner"]
    assert co.owners_for("nested/path with spaces/a.txt") == ["@space-owner"]
    assert co.owners_for("path/a.txt") == []


def test_escaped_trailing_space() -> None:
    co = CodeOwners.parse("name\\  @a\n")
    assert co.rules[0].owners == ["@a"]
    assert co.owners_for("name ") == ["@a"]
    assert co.owners_for("name") == []


def test_escaped_wildcards_are_literal() -> None:
    co = CodeOwners.parse("f\\*o @a\nq\\?x @b\n")
    assert co.owners_for("f*o") == ["@a"]
    assert co.owners_for("foo") == []
    assert co.owners_for("q?x") == ["@b"]
    assert co.owners_for("qax") == []


def test_trailing_backslash_is_invalid() -> None:
    co = CodeOwners.parse("* @a\nfoo\\\n")
    assert [r.line for r in co.rules] == [1]
    assert [p.line for p in co.problems] == [2]
    assert co.problems[0].field == "pattern"


# --------------------------------------------------------------------------------------------
# Owners


@pytest.mark.parametrize(
    ("owner", "kind"),
    [
        ("@octocat", "user"),
        ("@global-owner1", "user"),
        ("@a", "user"),
        ("@user_name", "user"),
        ("@Octo-Cat", "user"),
        ("@octo-org/octocats", "team"),
        ("@org/team-name", "team"),
        ("@example-org/content-team", "team"),
        ("@org/team_x", "team"),
        ("docs@example.com", "email"),
        ("user@example.com", "email"),
        ("first.last+tag@sub.example.co.uk", "email"),
        ("jane_doe@example.io", "email"),
        ("user", None),
        ("@", None),
        ("@@maintainer", None),
        ("@org/", None),
        ("@/team", None),
        ("@org/team/sub", None),
        ("@user!", None),
        ("@us.er", None),
        ("octocat@", None),
        ("@example.com", None),
        ("user@localhost", None),
        ("user@@example.com", None),
        ("<user@example.com>", None),
        ("#comment", None),
        ("@user#frag", None),
    ],
)
def test_classify_owner(owner: str, kind: str | None) -> None:
    assert classify_owner(owner) == kind


def test_owner_kinds_in_one_line_keep_order() -> None:
    text = "*.go docs@example.com @octo-org/octocats @octocat\n"
    assert _rules(text) == [("*.go", ["docs@example.com", "@octo-org/octocats", "@octocat"], 1)]


def test_pattern_without_owners_is_valid() -> None:
    co = CodeOwners.parse("* @a\n/apps/github\n")
    assert co.problems == []
    assert co.rules[1] == Rule(pattern="/apps/github", owners=[], line=2)
    assert co.owners_for("apps/github/x") == []
    assert co.owners_for("apps/other/x") == ["@a"]


@pytest.mark.parametrize(
    "line",
    [
        "/src/ user",
        "/src/ @ok notanowner",
        "/src/ @@role",
        "/src/ @org/team/nested",
        "/src/ @ok @",
        "/src/ user@",
        "/src/ @ok, @other",
    ],
)
def test_invalid_owner_reports_and_skips_line(line: str) -> None:
    text = f"* @default\n{line}\n"
    co = CodeOwners.parse(text)
    assert [r.line for r in co.rules] == [1]
    assert len(co.problems) >= 1
    assert all(p.line == 2 and p.field == "owners" for p in co.problems)
    assert "invalid owner" in co.problems[0].message
    # The skipped line does not take ownership: the default rule still applies.
    assert co.owners_for("src/main.py") == ["@default"]


def test_each_invalid_owner_is_reported() -> None:
    co = CodeOwners.parse("/x/ bad1 @ok bad2\n")
    assert [(p.line, p.field) for p in co.problems] == [(1, "owners"), (1, "owners")]
    assert "bad1" in co.problems[0].message and "bad2" in co.problems[1].message


# --------------------------------------------------------------------------------------------
# gitignore syntax GitHub does not support: reported and skipped


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("!/src/generated/ @a", "negation"),
        ("!*.md @a", "negation"),
        ("*.[ch] @a", "character ranges"),
        ("/src/[abc]/ @a", "character ranges"),
        ("[ab]*.py @a", "character ranges"),
        ("[abc] @a", "GitLab section"),
        ("file[0-9].txt @a", "character ranges"),
        ("[Section]", "GitLab section"),
        ("^[Optional Section]", "GitLab section"),
        ("[Docs][2] @docs-team", "GitLab section"),
        ("\\#file_with_pound.rb @a", "leading '#'"),
        ("/ @a", "never matches"),
        ("// @a", "never matches"),
    ],
)
def test_unsupported_syntax_is_reported_and_skipped(line: str, needle: str) -> None:
    text = f"* @default\n# comment\n{line}\n/docs/ @docs\n"
    co = CodeOwners.parse(text)
    assert [r.line for r in co.rules] == [1, 4]
    assert len(co.problems) == 1
    problem = co.problems[0]
    assert isinstance(problem, Problem)
    assert problem.line == 3
    assert problem.field == "pattern"
    assert needle in problem.message
    assert problem.render("CODEOWNERS").startswith("CODEOWNERS:3: ")


@pytest.mark.parametrize("pattern", ["!x", "a[b", "\\#x", "/", "x\\", ""])
def test_compile_pattern_rejects(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern", ["a!b", "\\!x", "\\[x]", "x]", "foo\\#bar", "a#b", "~$%&()+,;=@{}'"]
)
def test_compile_pattern_accepts_literal_specials(pattern: str) -> None:
    assert compile_pattern(pattern).pattern == pattern


def test_skipped_line_does_not_clear_ownership() -> None:
    co = CodeOwners.parse("* @a\n!secret.txt\n")
    assert co.owners_for("secret.txt") == ["@a"]
    assert [p.line for p in co.problems] == [2]


def test_pattern_and_owner_problems_on_one_line() -> None:
    co = CodeOwners.parse("!x notanowner\n")
    assert co.rules == []
    assert sorted(p.field or "" for p in co.problems) == ["owners", "pattern"]
    assert {p.line for p in co.problems} == {1}


def test_problems_across_many_lines() -> None:
    text = "\n".join(
        [
            "* @ok",  # 1
            "!neg @a",  # 2
            "# fine",  # 3
            "*.[ch] @a",  # 4
            "/src/ bad",  # 5
            "",  # 6
            "\\#x @a",  # 7
            "/lib/ @ok",  # 8
        ]
    )
    co = CodeOwners.parse(text)
    assert [p.line for p in co.problems] == [2, 4, 5, 7]
    assert [r.line for r in co.rules] == [1, 8]


# --------------------------------------------------------------------------------------------
# Robustness


def test_huge_line_does_not_crash() -> None:
    big = "a" * 1_000_000
    co = CodeOwners.parse(f"* @a\n{big} @b\n/x/ {'@' + 'c' * 100_000}\n")
    assert [r.line for r in co.rules] == [1, 2, 3]
    assert co.owners_for(big) == ["@b"]
    assert co.owners_for("x/y") == ["@" + "c" * 100_000]


def test_huge_wildcard_line_does_not_crash() -> None:
    co = CodeOwners.parse(("*" * 200_000) + " @a\n" + ("a*" * 5_000) + " @b\n")
    assert co.owners_for("q/r") == ["@a"]
    assert co.owners_for("a" * 1000) == ["@a"]
    assert co.owners_for("a" * 5_000) == ["@b"]
    assert co.owners_for("a" * 4_999 + "b") == ["@a"]


def test_problem_message_is_bounded_for_huge_owner() -> None:
    co = CodeOwners.parse("* " + "x" * 100_000 + "\n")
    assert len(co.problems) == 1
    assert len(co.problems[0].message) < 300


@pytest.mark.parametrize("seed", range(20))
def test_binary_input_does_not_crash(seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(4000))
    co = CodeOwners.parse(data)
    for p in co.problems:
        assert isinstance(p.line, int) and p.line >= 1
    for _ in range(20):
        path = data[rng.randrange(100) : rng.randrange(100, 400)].decode("utf-8", "replace")
        assert isinstance(co.owners_for(path), list)
        co.rule_for(path)


@pytest.mark.parametrize("seed", range(20))
def test_random_text_does_not_crash(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "ab/*?\\#![] \t@.\n\r-_~\x00\x0c"
    text = "".join(rng.choice(alphabet) for _ in range(3000))
    co = CodeOwners.parse(text)
    n_lines = text.count("\n") + 1
    for p in co.problems:
        assert p.line is not None and 1 <= p.line <= n_lines
    for r in co.rules:
        assert 1 <= r.line <= n_lines
    for _ in range(50):
        path = "".join(rng.choice("ab/.*?") for _ in range(rng.randint(0, 12)))
        co.owners_for(path)


def test_nul_and_control_characters() -> None:
    co = CodeOwners.parse("a\x00b @x\n\x0c @y\n")
    assert co.owners_for("a\x00b") == ["@x"]
    assert co.owners_for("\x0c") == ["@y"]


def test_rules_are_in_file_order_with_line_numbers() -> None:
    text = "* @a\n\n*.py @b\n# c\n/docs/ @c @d\n"
    co = CodeOwners.parse(text)
    assert co.rules == [
        Rule("*", ["@a"], 1),
        Rule("*.py", ["@b"], 3),
        Rule("/docs/", ["@c", "@d"], 5),
    ]
    assert co.rules[2].location == "CODEOWNERS:5"


@pytest.mark.parametrize("seed", range(5))
def test_owner_classification_agrees_with_the_syntax(seed: int) -> None:
    from ingest.codeowners.parser import _EMAIL, _TEAM, _USERNAME, _classify_owner

    def by_regex(owner: str) -> str | None:
        if _TEAM.fullmatch(owner):
            return "team"
        if _USERNAME.fullmatch(owner):
            return "user"
        if _EMAIL.fullmatch(owner):
            return "email"
        return None

    rng = random.Random(seed)
    alphabet = ["@", "/", "a", "Z", "0", "_", "-", ".", "é", "+", "'", "%", " ", "\n", "com"]
    for _ in range(3000):
        owner = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert _classify_owner(owner) == by_regex(owner), owner
    for owner in ["@octocat", "@org/team-x", "@org/", "@/team", "@a/b/c", "@ab\n", "a@b.io"]:
        assert _classify_owner(owner) == by_regex(owner), owner
