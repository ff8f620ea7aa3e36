"""Migration 8: ``ownership`` and ``ownership_conflicts`` become tables, refilled at every load.

As views they resolved every subject's owner from every claim on each read: a lookup of one
ref (``SELECT … FROM ownership WHERE ref = ?``) cost as much as resolving all 50,000 (seconds
at 300,000 claims), and the gaps step, the scorecards, the API and the export each paid it
again. Now the definitions live on as ``_ownership_live`` and ``_ownership_conflicts_live``,
and tables with the public names and the same columns and types hold their rows; an index on
``ownership.ref`` makes a per-ref read a lookup.

The store refills them in the transaction of every snapshot load (``Store.finish_run``, see
``catalog.store.ownership``): they depend only on the current snapshots, so a reader never
sees them disagree with the loaded claims. It first copies ``ownership_claims`` (without
``observed_at``, which moves with every run) into ``_resolved_claims``: the view joins
CODEOWNERS rows and PagerDuty services to the catalog's annotations; the copy is evaluated once
per load instead of once per reader, the report's owner suggestions read it, and a per-subject
read of it is a lookup (4 ms against 56 ms for the view at L). ``_ownership_live`` and
``_ownership_conflicts_live`` read it, and the conflicts read the fresh ``ownership`` table.
``_ownership_live`` gives the same rows as migration 2's view; it aggregates over distinct
claims in grouped passes instead of a correlated subquery per subject and a
``count(DISTINCT …)`` window (L: 2.3 s -> 0.9 s).

``_gaps_now`` stays a view (the gaps step reads it once per run; the current gaps are the open
rows of ``gap_episodes``); through ``_gaps_codeowners`` it now reads the ``ownership_conflicts``
table instead of resolving ownership twice more, and ``_gaps_cloud``
reads ``cloud_resource_rows`` instead of building every resource's tags JSON.
"""

from __future__ import annotations

from catalog.store.schema import Migration

MATERIALISED: tuple[tuple[str, str, str], ...] = (
    ("_resolved_claims", "_resolved_claims_live", "subject"),
    ("ownership", "_ownership_live", "ref"),
    ("ownership_conflicts", "_ownership_conflicts_live", "subject, role, source"),
)
"""(table, the view it is refilled from, sort order), in refresh order: each view reads the
tables refilled before it."""

PUBLIC_TABLES = ("ownership", "ownership_conflicts")

_SQL = """
-- ownership_claims as of the last load: a union of views (CODEOWNERS and PagerDuty claims are
-- joined to the catalog on annotations), evaluated once per load instead of once per reader
CREATE VIEW _resolved_claims_live AS
SELECT subject, owner, owner_raw, role, source, evidence FROM ownership_claims;
CREATE TABLE _resolved_claims AS SELECT * FROM _resolved_claims_live ORDER BY subject;

-- the resolved owner: the catalog's spec.owner wins; otherwise the owner most sources claim
CREATE VIEW _ownership_live AS
WITH claims AS (
  SELECT DISTINCT subject, owner, role, source FROM _resolved_claims WHERE owner IS NOT NULL
),
support AS (
  SELECT subject, owner, count(*) AS support
  FROM (SELECT DISTINCT subject, owner, source FROM claims) GROUP BY subject, owner
),
best AS (
  SELECT c.subject,
         arg_min(c.owner, (p.priority, -s.support, c.owner)) AS owner,
         arg_min(c.role, (p.priority, -s.support, c.owner)) AS resolved_from
  FROM claims c JOIN support s USING (subject, owner)
  CROSS JOIN LATERAL (SELECT CASE c.role WHEN 'owner' THEN 0 WHEN 'codeowner' THEN 1
                                         WHEN 'infra' THEN 2 ELSE 3 END AS priority) p
  GROUP BY c.subject
),
all_owners AS (
  SELECT subject, list({'owner': owner, 'role': role, 'source': source}
                       ORDER BY {'owner': owner, 'role': role, 'source': source}) AS owners
  FROM claims GROUP BY subject
),
per_source AS (
  SELECT subject, source, list(DISTINCT owner) AS owners FROM claims GROUP BY subject, source
),
agreement AS (
  SELECT b.subject,
         list(p.source ORDER BY p.source)
           FILTER (WHERE list_contains(p.owners, b.owner)) AS agreeing_sources,
         list(p.source ORDER BY p.source)
           FILTER (WHERE NOT list_contains(p.owners, b.owner)) AS disagreeing_sources
  FROM best b JOIN per_source p USING (subject)
  GROUP BY b.subject
)
SELECT b.subject AS ref, b.owner, b.resolved_from, a.owners, g.agreeing_sources,
       g.disagreeing_sources
FROM best b JOIN all_owners a USING (subject) JOIN agreement g USING (subject);

DROP VIEW ownership;
CREATE TABLE ownership AS SELECT * FROM _ownership_live ORDER BY ref;
-- the API reads one ref at a time: L, median of 50 refs, 0.7 ms with the index, 3.3 ms by scan
-- (sorted or not: 48,000 rows are one row group, so zone maps do not help); refilling costs
-- ~0.5 s more. Not on _resolved_claims: 4 ms -> 1 ms per read, but +3 s per refill at L.
CREATE INDEX ownership_ref ON ownership (ref);

-- a role/source whose claims do not include the resolved owner (on-call is shared by design)
CREATE VIEW _ownership_conflicts_live AS
SELECT o.ref AS subject, o.owner AS resolved_owner, c.role, c.source,
       list(DISTINCT c.owner ORDER BY c.owner) AS claimed_owners,
       list(DISTINCT c.evidence ORDER BY c.evidence) AS evidence
FROM ownership o JOIN _resolved_claims c ON c.subject = o.ref
LEFT JOIN _group_members gm ON gm.group_ref = o.owner AND gm.member = c.owner
WHERE c.owner IS NOT NULL AND c.role IN ('codeowner', 'infra')
GROUP BY o.ref, o.owner, c.role, c.source
HAVING NOT bool_or(c.owner = o.owner OR gm.member IS NOT NULL);

DROP VIEW ownership_conflicts;
CREATE TABLE ownership_conflicts AS
SELECT * FROM _ownership_conflicts_live ORDER BY subject, role, source;

-- migration 3's cloud gaps, read from the snapshot rows: the cloud_resources view builds every
-- resource's tags as JSON (200,000 at L), which the gaps need for a few details only
CREATE OR REPLACE VIEW _gaps_cloud AS
WITH current AS (
  SELECT arn, service, resource_type, owner_ref, component_ref, owner_tag, component_tag,
         tag_values[list_position(tag_keys, owner_tag)] AS owner_value,
         tag_values[list_position(tag_keys, component_tag)] AS component_value
  FROM cloud_resource_rows WHERE valid_to IS NULL
)
SELECT arn AS subject, 'untagged_resource' AS gap,
       CASE WHEN component_ref IS NULL
            THEN service || coalesce(' ' || resource_type, '') || ' has no owner tag'
            ELSE service || coalesce(' ' || resource_type, '')
                 || ' has no owner tag (its component tag says ' || component_ref || ')'
       END AS detail,
       arn AS evidence
FROM current WHERE owner_tag IS NULL
UNION ALL
SELECT arn, 'cloud_unknown_owner',
       CASE WHEN owner_ref IS NULL
            THEN 'tag ' || owner_tag || '=' || owner_value || ' is not a valid entity ref'
            ELSE 'tag ' || owner_tag || ' names ' || owner_ref
                 || ', which is not a known Group or User'
       END,
       arn || '#' || owner_tag
FROM current
WHERE owner_tag IS NOT NULL
  AND (owner_ref IS NULL
       OR owner_ref NOT IN (SELECT ref FROM entities WHERE kind IN ('group', 'user')))
UNION ALL
SELECT arn, 'cloud_unknown_component',
       CASE WHEN component_ref IS NULL
            THEN 'tag ' || component_tag || '=' || component_value || ' is not a valid entity ref'
            ELSE 'tag ' || component_tag || ' names ' || component_ref
                 || ', which is not in the catalog'
       END,
       arn || '#' || component_tag
FROM current
WHERE component_tag IS NOT NULL
  AND (component_ref IS NULL OR component_ref NOT IN (SELECT ref FROM entities))
UNION ALL
SELECT e.ref, 'cloud_owner_differs',
       'catalog owner ' || e.owner || ', but its AWS resources are tagged with owner '
         || c.owner_ref,
       min(c.arn || '#' || c.owner_tag)
FROM current c
JOIN entities e ON e.ref = c.component_ref AND e.owner IS NOT NULL
LEFT JOIN _group_members gm ON gm.group_ref = e.owner AND gm.member = c.owner_ref
WHERE c.owner_ref IS NOT NULL AND c.owner_ref <> e.owner AND gm.member IS NULL
GROUP BY e.ref, e.owner, c.owner_ref;
"""

MIGRATION = Migration(
    version=8,
    description="ownership and ownership_conflicts materialised as tables, refreshed by the "
    "gaps step",
    sql=_SQL,
)
