"""Migration 3: cloud resources from AWS resource tags (issue 5).

``cloud_resource_rows`` is the snapshot table of the ``aws_tags`` source (its ``infra`` claims
go to ``claim_rows`` from migration 2 and so reach ``ownership_claims``, ``ownership`` and
``ownership_conflicts`` unchanged). Views: ``cloud_resources`` (documented) and ``_gaps_cloud``
(replacing migration 2's empty placeholder).

Cloud gaps name the resource by its bare ARN (``arn:aws:…``): globally unique, what an engineer
searches for in the console, and never mistaken for a catalog ref. The one gap about a catalog
entity, ``cloud_owner_differs``, names the component's ref.
"""

from __future__ import annotations

from catalog.store.schema import Migration, SnapshotTable

CLOUD_RESOURCE_ROWS = SnapshotTable(
    "cloud_resource_rows",
    (
        ("arn", "VARCHAR"),
        ("account", "VARCHAR"),
        ("region", "VARCHAR"),
        ("service", "VARCHAR"),
        ("resource_type", "VARCHAR"),
        ("resource_id", "VARCHAR"),
        ("tag_keys", "VARCHAR[]"),  # parallel lists: cheaper to load than a JSON column
        ("tag_values", "VARCHAR[]"),
        ("owner_ref", "VARCHAR"),
        ("component_ref", "VARCHAR"),
        ("owner_tag", "VARCHAR"),
        ("component_tag", "VARCHAR"),
    ),
)

_SQL = """
CREATE VIEW cloud_resources AS
SELECT r.arn, r.account, r.region, r.service, r.resource_type, r.resource_id,
       CAST(to_json(map(r.tag_keys, r.tag_values)) AS JSON) AS tags,
       r.owner_ref, r.component_ref, r.owner_tag, r.component_tag,
       r.source, s.last_seen, r.valid_from AS run_id
FROM cloud_resource_rows r LEFT JOIN source_last_seen s USING (source)
WHERE r.valid_to IS NULL;

CREATE OR REPLACE VIEW _gaps_cloud AS
SELECT arn AS subject, 'untagged_resource' AS gap,
       CASE WHEN component_ref IS NULL
            THEN service || coalesce(' ' || resource_type, '') || ' has no owner tag'
            ELSE service || coalesce(' ' || resource_type, '')
                 || ' has no owner tag (its component tag says ' || component_ref || ')'
       END AS detail,
       arn AS evidence
FROM cloud_resources WHERE owner_tag IS NULL
UNION ALL
SELECT arn, 'cloud_unknown_owner',
       CASE WHEN owner_ref IS NULL
            THEN 'tag ' || owner_tag || '=' || (tags->>owner_tag) || ' is not a valid entity ref'
            ELSE 'tag ' || owner_tag || ' names ' || owner_ref
                 || ', which is not a known Group or User'
       END,
       arn || '#' || owner_tag
FROM cloud_resources
WHERE owner_tag IS NOT NULL
  AND (owner_ref IS NULL
       OR owner_ref NOT IN (SELECT ref FROM entities WHERE kind IN ('group', 'user')))
UNION ALL
SELECT arn, 'cloud_unknown_component',
       CASE WHEN component_ref IS NULL
            THEN 'tag ' || component_tag || '=' || (tags->>component_tag)
                 || ' is not a valid entity ref'
            ELSE 'tag ' || component_tag || ' names ' || component_ref
                 || ', which is not in the catalog'
       END,
       arn || '#' || component_tag
FROM cloud_resources
WHERE component_tag IS NOT NULL
  AND (component_ref IS NULL OR component_ref NOT IN (SELECT ref FROM entities))
UNION ALL
SELECT e.ref, 'cloud_owner_differs',
       'catalog owner ' || e.owner || ', but its AWS resources are tagged with owner '
         || c.owner_ref,
       min(c.arn || '#' || c.owner_tag)
FROM cloud_resources c
JOIN entities e ON e.ref = c.component_ref AND e.owner IS NOT NULL
LEFT JOIN _group_members gm ON gm.group_ref = e.owner AND gm.member = c.owner_ref
WHERE c.owner_ref IS NOT NULL AND c.owner_ref <> e.owner AND gm.member IS NULL
GROUP BY e.ref, e.owner, c.owner_ref;
"""

MIGRATION = Migration(
    version=3,
    description="cloud resources from AWS resource tags (issue 5)",
    sql=_SQL,
    tables=(CLOUD_RESOURCE_ROWS,),
)
