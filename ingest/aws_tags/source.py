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
from typing import ClassVar

from catalog.errors import SourceError
from ingest.aws_tags.arn import ArnError, parse_arn
from ingest.aws_tags.config import AwsTagsConfig
from ingest.aws_tags.last_good import LastGood
from ingest.aws_tags.listing import list_targets
from ingest.aws_tags.listing_bytes import Listing, unpack
from ingest.aws_tags.parts import RegionPart, RegionParts
from ingest.aws_tags.records import CloudResourceRecord
from ingest.aws_tags.tags import TagKeys
from ingest.aws_tags.targets import CredentialsRejected, Target, TargetFailed
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
        settings_text = json.dumps(settings, sort_keys=True)
        digest = hashlib.sha256(settings_text.encode())
        for target, _, listing_digest in listings:
            digest.update(target.key.encode())
            digest.update(listing_digest.encode())
        ctx.report.fingerprint = digest.hexdigest()
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            # the same listings as last time: building 200,000 records only to drop them cost
            # more than the listing itself
            ctx.report.unchanged = True
            return []
        settings_key = hashlib.sha256(settings_text.encode()).hexdigest()
        return self._records(ctx, listings, settings_key)  # the runner pauses the GC meanwhile

    # -- listing ---------------------------------------------------------------------------
    def _list_all(self, ctx: SourceContext) -> list[tuple[Target, bytes, str]]:
        """Each target's listing (``listing_bytes``) and its digest; the last good one for a
        target that failed. The listing runs in a child process (``listing.list_targets``)."""
        where = f"aws_tags source {ctx.name!r}"
        ctx.progress(0, None)

        def on_page(items: int) -> None:
            ctx.report.counts["pages"] += 1
            ctx.progress(items, None)

        try:
            results = list_targets(self.config, on_page)
        except CredentialsRejected as exc:
            raise SourceError(f"{where}: credentials rejected: {exc}") from None
        except TargetFailed as exc:
            raise SourceError(f"{where}: {exc}") from None

        rejected = [r.failure for r in results if isinstance(r.failure, CredentialsRejected)]
        if rejected:
            raise SourceError(f"{where}: credentials rejected: {rejected[0]}")
        failures = [r for r in results if r.failure is not None]
        if len(failures) == len(results):
            detail = "; ".join(str(r.failure) for r in failures)
            raise SourceError(f"{where}: every account/region failed: {detail}")

        last_good = LastGood(ctx.state_dir)
        listings: list[tuple[Target, bytes, str]] = []
        for result in results:
            target = result.target
            if result.blob is not None:
                # a byte difference only costs one more build of the records
                listing_digest = hashlib.sha256(result.blob).hexdigest()
                listings.append((target, result.blob, listing_digest))
                ctx.report.counts["regions_ok"] += 1
                if self.config.keep_last_good:
                    last_good.save(target.key, result.blob, listing_digest)
                continue
            ctx.report.counts["regions_failed"] += 1
            ctx.report.error(f"{where}: {result.failure}")
            kept = last_good.load(target.key) if self.config.keep_last_good else None
            if kept is not None:
                fetched_at, blob, count, kept_digest = kept
                ctx.report.warn(
                    f"{where}: {target.label}: kept {count} resources from the last good "
                    f"listing of {fetched_at}"
                )
                listings.append((target, blob, kept_digest))
        last_good.flush()
        return listings

    # -- records ---------------------------------------------------------------------------
    def _records(
        self, ctx: SourceContext, listings: list[tuple[Target, bytes, str]], settings: str
    ) -> list[Record]:
        """Resources (first listing wins for an ARN seen twice) and their infra claims.

        Each listing's part is built alone (``_region_part``) and reused from the state
        directory while the listing's digest is the same: one region changing does not rebuild
        the others. The parts are then merged in listing order."""
        report = ctx.report
        parts = RegionParts(ctx.state_dir, settings)
        resources: dict[str, CloudResourceRecord] = {}
        claims: list[Record] = []
        regionless: dict[str, set[str]] = {}  # global ARNs (S3) → regions that listed them
        for target, blob, digest in listings:
            part = parts.load(target.key, digest)
            if part is None:
                part = self._region_part(target, unpack(blob))
                parts.save(target.key, digest, part)
            else:
                report.counts["regions_reused"] += 1
            won: list[bool] = []
            for row, claim, global_arn in zip(
                part.rows, part.claims, part.global_arns, strict=True
            ):
                arn = row[0]
                if arn in resources:
                    if arn in regionless:
                        regionless[arn].add(target.region)
                    won.append(False)
                    continue
                won.append(True)
                resources[arn] = CloudResourceRecord._make(row)
                if global_arn:
                    regionless[arn] = {target.region}
                if claim is not None:
                    claims.append(ClaimRecord._make(claim))
            for row_index, message in part.warnings:
                if row_index < 0 or won[row_index]:
                    report.warn(message)
        for arn, regions in regionless.items():
            if len(regions) > 1:
                # the Tagging API lists a bucket in its own region; listed in several, we cannot
                # tell which one it is (moto lists every bucket in every region)
                resources[arn] = resources[arn]._replace(region=None)
        report.counts["resources"] = len(resources)
        report.counts["resources_without_owner_tag"] = sum(
            1 for r in resources.values() if r.owner_tag is None
        )
        report.counts["infra_claims"] = len(claims)
        return [*resources.values(), *claims]

    def _region_part(self, target: Target, listing: Listing) -> RegionPart:
        """One listing's resources (first item wins for an ARN listed twice), claims and
        warnings, as plain tuples. Written for 100k resources: one pass, no per-resource
        helpers beyond the ARN split."""
        part = RegionPart()
        seen: set[str] = set()
        owner_find = self.owner_keys.find
        component_find = self.component_keys.find
        account = target.account.account_id if target.account else None
        for item in listing:
            try:
                arn = item["ResourceARN"]
                raw_tags = item.get("Tags") or ()
                tag_keys = [t["Key"] for t in raw_tags]
                tag_values = [t.get("Value") or "" for t in raw_tags]
            except (TypeError, KeyError, AttributeError):
                part.warnings.append(
                    (-1, f"{target.label}: malformed item skipped: {str(item)[:200]}")
                )
                continue
            if not isinstance(arn, str):
                part.warnings.append((-1, f"{target.label}: item without ResourceARN skipped"))
                continue
            if arn in seen:
                continue
            try:
                parsed = parse_arn(arn)
            except ArnError as exc:
                part.warnings.append((-1, f"{target.label}: {exc}; skipped"))
                continue
            seen.add(arn)
            tags = dict(zip(tag_keys, tag_values, strict=True))
            by_key = {k.lower(): k for k in tag_keys}
            owner = owner_find(tags, by_key)
            component = component_find(tags, by_key)
            owner_ref = owner.ref if owner else None
            component_ref = component.ref if component else None
            row_index = len(part.rows)
            part.rows.append(
                (
                    arn,
                    parsed.account or account,
                    parsed.region or target.region,
                    parsed.service,
                    parsed.resource_type,
                    parsed.resource_id,
                    tag_keys,
                    tag_values,
                    owner_ref,
                    component_ref,
                    owner.key if owner else None,
                    component.key if component else None,
                )
            )
            part.global_arns.append(parsed.region is None)
            claim = None
            if owner is not None and owner_ref is None:
                part.warnings.append(
                    (row_index, f"{arn}: tag {owner.key}={owner.value!r} is not an entity ref")
                )
            elif owner is not None and owner_ref is not None and component_ref is not None:
                claim = (component_ref, owner_ref, owner.value, INFRA_ROLE, f"{arn}#{owner.key}")
            part.claims.append(claim)
        return part
