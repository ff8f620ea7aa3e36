"""The ``aws_tags`` source: every tagged resource per account and region, and its owner.

Each resource becomes a ``cloud_resource_rows`` row; a resource whose tags name both an owner
and a component also becomes an ``infra`` ownership claim (evidence ``<arn>#<owner tag key>``).
Gaps (untagged, unknown team or component, owner differing from the catalog) are views over
those rows in migration 3, so the source needs no catalog data.

Failure: credentials refused anywhere → the run fails (``SourceError``) and the previous
snapshot stays. Another error in one account/region → reported, that target keeps its last
good listing (if any) and the others are stored; all targets failing → the run fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from catalog.errors import SourceError
from ingest.aws_tags.arn import ArnError, parse_arn
from ingest.aws_tags.client import (
    CredentialsRejected,
    TaggingClients,
    Target,
    TargetFailed,
    pages,
)
from ingest.aws_tags.config import AwsTagsConfig
from ingest.aws_tags.last_good import LastGood, Listing
from ingest.aws_tags.records import CloudResourceRecord
from ingest.aws_tags.tags import TagKeys
from ingest.records import ClaimRecord, Record
from ingest.source import SourceContext

INFRA_ROLE = "infra"


class AwsTagsSource:
    type_name: ClassVar[str] = "aws_tags"
    tables: ClassVar[frozenset[str]] = frozenset({"cloud_resource_rows", "claim_rows"})

    def __init__(self, config: AwsTagsConfig) -> None:
        self.config = config
        self.owner_keys = TagKeys(
            config.owner_tags, default_kind="group", namespace=config.owner_namespace
        )
        self.component_keys = TagKeys(
            config.component_tags, default_kind="component", namespace=config.owner_namespace
        )

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        listings = self._list_all(ctx)
        settings = self.config.model_dump(
            mode="json", include={"owner_tags", "component_tags", "owner_namespace"}
        )
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        for target, listing in listings:
            digest.update(target.key.encode())
            digest.update(json.dumps(listing, sort_keys=True).encode())
        ctx.report.fingerprint = digest.hexdigest()
        records = self._records(ctx, listings)
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            return []
        return records

    # -- listing ---------------------------------------------------------------------------
    def _list_all(self, ctx: SourceContext) -> list[tuple[Target, Listing]]:
        where = f"aws_tags source {ctx.name!r}"
        try:
            clients = TaggingClients(self.config)
            targets = clients.targets()
            jobs = [(t, clients.client(t)) for t in targets]  # boto3 sessions: one thread only
        except CredentialsRejected as exc:
            raise SourceError(f"{where}: credentials rejected: {exc}") from None
        except TargetFailed as exc:
            raise SourceError(f"{where}: {exc}") from None

        ctx.progress(0, None)

        def fetch(job: tuple[Target, Any]) -> Listing | TargetFailed:
            target, client = job
            listing: Listing = []
            try:
                for page in pages(self.config, client, target):
                    listing.extend(page)
            except TargetFailed as exc:
                return exc
            return listing

        with ThreadPoolExecutor(max_workers=self.config.max_concurrency) as pool:
            results = list(pool.map(fetch, jobs))

        rejected = [r for r in results if isinstance(r, CredentialsRejected)]
        if rejected:
            raise SourceError(f"{where}: credentials rejected: {rejected[0]}")
        failures = [
            (t, r) for t, r in zip(targets, results, strict=True) if isinstance(r, Exception)
        ]
        if len(failures) == len(targets):
            detail = "; ".join(str(r) for _, r in failures)
            raise SourceError(f"{where}: every account/region failed: {detail}")

        last_good = LastGood(ctx.state_dir)
        listings: list[tuple[Target, Listing]] = []
        for target, result in zip(targets, results, strict=True):
            if not isinstance(result, Exception):
                listings.append((target, result))
                ctx.report.counts["regions_ok"] += 1
                if self.config.keep_last_good:
                    last_good.save(target.key, result)
                continue
            ctx.report.counts["regions_failed"] += 1
            ctx.report.error(f"{where}: {result}")
            kept = last_good.load(target.key) if self.config.keep_last_good else None
            if kept is not None:
                fetched_at, items = kept
                ctx.report.warn(
                    f"{where}: {target.label}: kept {len(items)} resources from the last good "
                    f"listing of {fetched_at}"
                )
                listings.append((target, items))
        return listings

    # -- records ---------------------------------------------------------------------------
    def _records(self, ctx: SourceContext, listings: list[tuple[Target, Listing]]) -> list[Record]:
        report = ctx.report
        records: list[Record] = []
        seen: set[str] = set()
        claims = 0
        for target, listing in listings:
            fallback_account = target.account.account_id if target.account else None
            for item in listing:
                arn = item.get("ResourceARN")
                if not isinstance(arn, str) or arn in seen:
                    if not isinstance(arn, str):
                        report.warn(f"{target.label}: item without ResourceARN skipped")
                    continue
                seen.add(arn)
                try:
                    parsed = parse_arn(arn)
                except ArnError as exc:
                    report.warn(f"{target.label}: {exc}; skipped")
                    continue
                tags = {
                    str(t["Key"]): str(t.get("Value") or "")
                    for t in item.get("Tags") or []
                    if isinstance(t, dict) and "Key" in t
                }
                owner = self.owner_keys.find(tags)
                component = self.component_keys.find(tags)
                if owner is not None and owner.ref is None:
                    report.warn(f"{arn}: tag {owner.key}={owner.value!r} is not an entity ref")
                records.append(
                    CloudResourceRecord(
                        arn=arn,
                        account=parsed.account or fallback_account,
                        region=parsed.region or target.region,
                        service=parsed.service,
                        resource_type=parsed.resource_type,
                        resource_id=parsed.resource_id,
                        tags=tags,
                        owner_ref=owner.ref if owner else None,
                        component_ref=component.ref if component else None,
                        owner_tag=owner.key if owner else None,
                        component_tag=component.key if component else None,
                    )
                )
                if owner and owner.ref and component and component.ref:
                    claims += 1
                    records.append(
                        ClaimRecord(
                            subject=component.ref,
                            owner=owner.ref,
                            owner_raw=owner.value,
                            role=INFRA_ROLE,
                            evidence=f"{arn}#{owner.key}",
                        )
                    )
                if owner is None:
                    report.counts["resources_without_owner_tag"] += 1
        report.counts["resources"] = len(seen)
        report.counts["infra_claims"] = claims
        ctx.progress(len(seen), len(seen))
        return records
