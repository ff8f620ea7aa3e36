"""The ``codeowners`` source (local repositories: their HEAD, catalog files and CODEOWNERS) and
the CODEOWNERS parser and matcher it shares with the ``github`` source, with GitHub's semantics.

``source.py`` is the source, ``config.py`` its config, ``git_head.py`` reads HEAD without git,
``files.py`` finds a repository's CODEOWNERS and maps its owners, ``records.py`` holds the records;
``parser.py``, ``matcher.py`` and ``owners.py`` are the parser and matcher:

>>> co = CodeOwners.parse("*  @global\\n/apps/ @octocat\\n/apps/github\\n")
>>> co.owners_for("apps/web/index.js")
['@octocat']
>>> co.owners_for("apps/github/ci.yml")
[]
>>> co.rule_for("README.md").line
1
"""

from .config import CodeownersConfig
from .matcher import CompiledPattern, Kind, Mode, PatternError, compile_pattern
from .owners import CodeOwners
from .parser import Rule, classify_owner, parse_codeowners
from .source import CodeownersSource

__all__ = [
    "CodeOwners",
    "CodeownersConfig",
    "CodeownersSource",
    "CompiledPattern",
    "Kind",
    "Mode",
    "PatternError",
    "Rule",
    "classify_owner",
    "compile_pattern",
    "parse_codeowners",
]
