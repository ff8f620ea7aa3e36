"""CODEOWNERS parsing and matching with GitHub's semantics.

>>> co = CodeOwners.parse("*  @global\\n/apps/ @octocat\\n/apps/github\\n")
>>> co.owners_for("apps/web/index.js")
['@octocat']
>>> co.owners_for("apps/github/ci.yml")
[]
>>> co.rule_for("README.md").line
1
"""

from .matcher import CompiledPattern, Mode, PatternError, compile_pattern
from .owners import CodeOwners
from .parser import Rule, classify_owner, parse_codeowners

__all__ = [
    "CodeOwners",
    "CompiledPattern",
    "Mode",
    "PatternError",
    "Rule",
    "classify_owner",
    "compile_pattern",
    "parse_codeowners",
]
