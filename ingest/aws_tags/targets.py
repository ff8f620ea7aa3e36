"""What the source reads (one account and region each) and how reading one can fail.

Kept apart from the boto3 client: the ingest's process plans the targets and handles their
failures, while the listing itself runs in a child process (``ingest.aws_tags.listing``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.aws_tags.config import AwsAccount, AwsTagsConfig


class TargetFailed(Exception):
    """One account/region could not be read."""


class CredentialsRejected(TargetFailed):
    """AWS refused the credentials (or the role to assume)."""


@dataclass(frozen=True)
class Target:
    account: AwsAccount | None  # None: the base credentials' own account
    region: str

    @property
    def label(self) -> str:
        who = f"account {self.account.account_id}" if self.account else "default account"
        return f"{who}, region {self.region}"

    @property
    def key(self) -> str:
        return f"{self.account.account_id if self.account else 'default'}-{self.region}"


def targets(config: AwsTagsConfig) -> list[Target]:
    """Every configured account (or the base credentials' own) times every region."""
    accounts: list[AwsAccount | None] = list(config.accounts) or [None]
    return [Target(a, r) for a in accounts for r in config.regions]
