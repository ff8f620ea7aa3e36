"""Bearer tokens: several, from the environment variable named by ``api.tokens_env``.

Every candidate is compared with :func:`hmac.compare_digest` (all of them, so the time taken
does not reveal which token came close). A refused request learns only "unauthorized".
"""

from __future__ import annotations

import hmac
import os

from catalog import secrets
from catalog.errors import ConfigError


def tokens_from_env(env_name: str) -> tuple[bytes, ...]:
    """The configured tokens; refusing to start an authenticated API without any."""
    raw = os.environ.get(env_name, "")
    tokens = tuple(t.strip().encode() for t in raw.split(",") if t.strip())
    for token in tokens:
        secrets.register(token.decode())  # never in a log line
    if not tokens:
        raise ConfigError(
            f"api: authentication is on but environment variable {env_name} (api.tokens_env) "
            "holds no tokens; set it to one or more comma-separated tokens"
        )
    return tokens


class TokenCheck:
    def __init__(self, tokens: tuple[bytes, ...]) -> None:
        self._tokens = tokens

    def allows(self, authorization: str | None) -> bool:
        if not authorization:
            return False
        scheme, _, presented = authorization.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return False
        candidate = presented.strip().encode()
        ok = False
        for token in self._tokens:
            ok |= hmac.compare_digest(candidate, token)
        return ok
