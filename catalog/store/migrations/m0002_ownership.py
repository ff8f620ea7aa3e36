"""Migration 2: ownership claims, CODEOWNERS, repositories, gaps with history.

Claims are derived set-based in views where they need catalog data (CODEOWNERS owners are
resolved to Users through ``github.com/user-login`` and ``spec.profile.email``), so sources
never need to read the database. Views prefixed ``_`` are building blocks; the documented
views are ``ownership_claims``, ``ownership``, ``ownership_conflicts``, ``ownership_gaps``,
``repositories``. ``_oncall_claims``, ``_gaps_cloud``, ``_gaps_pagerduty``, ``entity_oncall``
and ``entity_levels`` start empty and are replaced by the migrations of the sources that fill
them.
"""

from __future__ import annotations

from catalog.store.schema import Migration, SnapshotTable

CLAIM_ROWS = SnapshotTable(
    "claim_rows",
    (
        ("subject", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("owner_raw", "VARCHAR"),
        ("role", "VARCHAR"),
        ("evidence", "VARCHAR"),
    ),
)

REPOSITORY_ROWS = SnapshotTable(
    "repository_rows",
    (
        ("name", "VARCHAR"),
        ("url", "VARCHAR"),
        ("default_branch", "VARCHAR"),
        ("head_sha", "VARCHAR"),
        ("local_path", "VARCHAR"),
        ("has_catalog_info", "BOOLEAN"),
        ("has_codeowners", "BOOLEAN"),
        ("codeowners_file", "VARCHAR"),
    ),
)

CODEOWNERS_ROWS = SnapshotTable(
    "codeowners_rows",
    (
        ("repo", "VARCHAR"),
        ("location", "VARCHAR"),  # matches the entity's backstage.io/managed-by-location
        ("path", "VARCHAR"),  # path of the catalog file inside the repo
        ("owners_raw", "VARCHAR[]"),  # as written: @user, @org/team, e-mail
        ("owner_guess", "VARCHAR[]"),  # team: group ref, @user: user ref, e-mail: NULL
        ("codeowners_file", "VARCHAR"),
        ("rule_line", "INTEGER"),  # NULL when no rule matches the path
    ),
)

CODEOWNERS_RULE_ROWS = SnapshotTable(
    "codeowners_rule_rows",
    (
        ("repo", "VARCHAR"),
        ("codeowners_file", "VARCHAR"),
        ("line", "INTEGER"),
        ("pattern", "VARCHAR"),
        ("owners_raw", "VARCHAR[]"),
        ("owner_guess", "VARCHAR[]"),
    ),
)

_EMPTY_CLAIMS = (
    "SELECT NULL::VARCHAR AS subject, NULL::VARCHAR AS owner, NULL::VARCHAR AS owner_raw, "
    "NULL::VARCHAR AS role, NULL::VARCHAR AS source, NULL::VARCHAR AS evidence WHERE false"
)
_EMPTY_GAPS = (
    "SELECT NULL::VARCHAR AS subject, NULL::VARCHAR AS gap, NULL::VARCHAR AS detail, "
    "NULL::VARCHAR AS evidence WHERE false"
)

_SQL = f"""
CREATE TABLE gap_episodes (
  subject VARCHAR NOT NULL,
  gap VARCHAR NOT NULL,
  detail VARCHAR NOT NULL,
  evidence VARCHAR,
  first_seen TIMESTAMPTZ NOT NULL,
  last_seen TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ
);

CREATE VIEW source_last_seen AS
SELECT source, max(finished_at) AS last_seen
FROM runs WHERE status IN ('ok', 'unchanged') GROUP BY source;

CREATE VIEW repositories AS
SELECT r.name, r.url, r.default_branch, r.head_sha, r.local_path, r.has_catalog_info,
       r.has_codeowners, r.codeowners_file, r.source, s.last_seen
FROM repository_rows r LEFT JOIN source_last_seen s USING (source)
WHERE r.valid_to IS NULL;

CREATE VIEW _users_by_login AS
SELECT lower(annotations->>'github.com/user-login') AS login, min(ref) AS ref
FROM entities WHERE kind = 'user' AND annotations->>'github.com/user-login' IS NOT NULL
GROUP BY 1;

CREATE VIEW _users_by_email AS
SELECT lower(spec->'profile'->>'email') AS email, min(ref) AS ref
FROM entities WHERE kind = 'user' AND spec->'profile'->>'email' IS NOT NULL
GROUP BY 1;

-- every CODEOWNERS owner as written, resolved to a catalog ref where the catalog knows it
CREATE VIEW _codeowner_refs AS
WITH raw AS (
  SELECT DISTINCT unnest(owners_raw) AS owner_raw, unnest(owner_guess) AS guess
  FROM codeowners_rule_rows WHERE valid_to IS NULL
  UNION
  SELECT DISTINCT unnest(owners_raw), unnest(owner_guess)
  FROM codeowners_rows WHERE valid_to IS NULL
)
SELECT r.owner_raw, r.guess,
       CASE WHEN r.owner_raw LIKE '@%/%' THEN r.guess
            WHEN r.owner_raw LIKE '@%' THEN coalesce(l.ref, r.guess)
            ELSE m.ref END AS owner,
       CASE WHEN r.owner_raw LIKE '@%/%' THEN r.guess
            WHEN r.owner_raw LIKE '@%' THEN coalesce(l.ref, r.guess)
            ELSE m.ref END IN (SELECT ref FROM entities WHERE kind IN ('group', 'user')) AS known
FROM raw r
LEFT JOIN _users_by_login l ON r.owner_raw LIKE '@%' AND r.owner_raw NOT LIKE '@%/%'
     AND l.login = lower(substr(r.owner_raw, 2))
LEFT JOIN _users_by_email m ON r.owner_raw NOT LIKE '@%' AND m.email = lower(r.owner_raw);

CREATE VIEW _codeowner_claims AS
WITH per_owner AS (
  SELECT source, repo, location, codeowners_file, rule_line,
         unnest(owners_raw) AS owner_raw, unnest(owner_guess) AS guess
  FROM codeowners_rows WHERE valid_to IS NULL
)
SELECT e.ref AS subject, o.owner, p.owner_raw, 'codeowner' AS role, p.source,
       p.repo || ':' || p.codeowners_file || ':' || p.rule_line AS evidence
FROM per_owner p
JOIN entities e ON e.annotations->>'backstage.io/managed-by-location' = p.location
     -- code lives in repositories: systems and domains kept in a central catalog repo are
     -- not owned by whoever owns that repo's files
     AND e.kind IN ('component', 'api', 'resource')
JOIN _codeowner_refs o ON o.owner_raw = p.owner_raw AND o.guess IS NOT DISTINCT FROM p.guess;

CREATE VIEW _oncall_claims AS {_EMPTY_CLAIMS};

CREATE VIEW ownership_claims AS
SELECT c.subject, c.owner, c.owner_raw, c.role, c.source, c.evidence, s.last_seen AS observed_at
FROM (
  SELECT ref AS subject, owner, spec->>'owner' AS owner_raw, 'owner' AS role, source,
         location || ':' || line AS evidence
  FROM entities WHERE owner IS NOT NULL
  UNION ALL SELECT subject, owner, owner_raw, role, source, evidence FROM _codeowner_claims
  UNION ALL SELECT subject, owner, owner_raw, role, source, evidence
            FROM claim_rows WHERE valid_to IS NULL
  UNION ALL SELECT subject, owner, owner_raw, role, source, evidence FROM _oncall_claims
) c LEFT JOIN source_last_seen s USING (source);

-- the resolved owner: the catalog's spec.owner wins; otherwise the owner most sources claim
CREATE VIEW ownership AS
WITH claims AS (SELECT * FROM ownership_claims WHERE owner IS NOT NULL),
ranked AS (
  SELECT subject, owner, role,
         count(DISTINCT source) OVER (PARTITION BY subject, owner) AS support,
         CASE role WHEN 'owner' THEN 0 WHEN 'codeowner' THEN 1 WHEN 'infra' THEN 2 ELSE 3 END
           AS priority
  FROM claims
),
best AS (
  SELECT subject,
         first(owner ORDER BY priority, support DESC, owner) AS owner,
         first(role ORDER BY priority, support DESC, owner) AS resolved_from
  FROM ranked GROUP BY subject
),
per_source AS (
  SELECT subject, source, list(DISTINCT owner) AS owners FROM claims GROUP BY subject, source
)
SELECT b.subject AS ref, b.owner, b.resolved_from,
       (SELECT list(DISTINCT {{'owner': c.owner, 'role': c.role, 'source': c.source}}
                    ORDER BY {{'owner': c.owner, 'role': c.role, 'source': c.source}})
        FROM claims c WHERE c.subject = b.subject) AS owners,
       list(DISTINCT p.source ORDER BY p.source)
         FILTER (WHERE list_contains(p.owners, b.owner)) AS agreeing_sources,
       list(DISTINCT p.source ORDER BY p.source)
         FILTER (WHERE NOT list_contains(p.owners, b.owner)) AS disagreeing_sources
FROM best b JOIN per_source p USING (subject)
GROUP BY b.subject, b.owner, b.resolved_from;

-- membership used to forgive a CODEOWNERS user who belongs to the owner group
CREATE VIEW _group_members AS
WITH RECURSIVE members(group_ref, member) AS (
  SELECT target_ref, source_ref FROM relations WHERE type = 'memberOf'
  UNION
  SELECT r.source_ref, m.member FROM relations r JOIN members m ON r.target_ref = m.group_ref
  WHERE r.type = 'parentOf'
)
SELECT DISTINCT group_ref, member FROM members;

-- a role/source whose claims do not include the resolved owner (on-call is shared by design)
CREATE VIEW ownership_conflicts AS
SELECT o.ref AS subject, o.owner AS resolved_owner, c.role, c.source,
       list(DISTINCT c.owner ORDER BY c.owner) AS claimed_owners,
       list(DISTINCT c.evidence ORDER BY c.evidence) AS evidence
FROM ownership o JOIN ownership_claims c ON c.subject = o.ref
LEFT JOIN _group_members gm ON gm.group_ref = o.owner AND gm.member = c.owner
WHERE c.owner IS NOT NULL AND c.role IN ('codeowner', 'infra')
GROUP BY o.ref, o.owner, c.role, c.source
HAVING NOT bool_or(c.owner = o.owner OR gm.member IS NOT NULL);

CREATE VIEW _populated_groups AS
WITH RECURSIVE populated(ref) AS (
  SELECT DISTINCT source_ref FROM relations WHERE type = 'hasMember'
  UNION
  SELECT r.source_ref FROM relations r JOIN populated p ON r.target_ref = p.ref
  WHERE r.type = 'parentOf'
)
SELECT ref FROM populated;

CREATE VIEW _gaps_catalog AS
SELECT ref AS subject, 'no_owner' AS gap, kind || ' has no owner' AS detail,
       location || ':' || line AS evidence
FROM entities
WHERE kind IN ('component', 'api', 'resource', 'system', 'domain', 'template') AND owner IS NULL
UNION ALL
SELECT DISTINCT ref, 'no_owner', 'rejected by the catalog: spec.owner is missing',
       location || ':' || line
FROM catalog_problems
WHERE severity = 'error' AND ref IS NOT NULL AND message LIKE '%missingProperty: owner%'
UNION ALL
SELECT e.ref, 'unknown_owner', 'owner ' || e.owner || ' is not a known Group or User',
       e.location || ':' || e.line
FROM entities e
WHERE e.owner IS NOT NULL
  AND e.owner NOT IN (SELECT ref FROM entities WHERE kind IN ('group', 'user'))
UNION ALL
SELECT e.ref, 'owner_group_without_members',
       'owner ' || e.owner || ' has no members, directly or through child groups',
       e.location || ':' || e.line
FROM entities e JOIN entities g ON g.ref = e.owner AND g.kind = 'group'
WHERE e.owner NOT IN (SELECT ref FROM _populated_groups)
UNION ALL
SELECT ref, 'group_without_members',
       'group has no members, directly or through child groups', location || ':' || line
FROM entities
WHERE kind = 'group' AND ref NOT IN (SELECT ref FROM _populated_groups);

CREATE VIEW _gaps_codeowners AS
SELECT 'repository:' || repo AS subject, 'codeowners_rule_without_owners' AS gap,
       'CODEOWNERS pattern ' || pattern || ' has no owners' AS detail,
       repo || ':' || codeowners_file || ':' || line AS evidence
FROM codeowners_rule_rows WHERE valid_to IS NULL AND len(owners_raw) = 0
UNION ALL
SELECT DISTINCT 'repository:' || c.repo, 'codeowners_unknown_owner',
       'CODEOWNERS names ' || u.owner_raw || ', which the catalog does not know',
       c.repo || ':' || c.codeowners_file || ':' || c.line
FROM (SELECT repo, codeowners_file, line, unnest(owners_raw) AS owner_raw
      FROM codeowners_rule_rows WHERE valid_to IS NULL) c
JOIN _codeowner_refs u ON u.owner_raw = c.owner_raw AND NOT coalesce(u.known, false)
UNION ALL
SELECT e.ref, 'codeowners_path_without_owners',
       CASE WHEN c.rule_line IS NULL THEN 'no CODEOWNERS rule covers ' || c.path
            ELSE 'the CODEOWNERS rule for ' || c.path || ' has no owners' END,
       c.repo || ':' || c.codeowners_file || coalesce(':' || c.rule_line, '')
FROM codeowners_rows c
JOIN entities e ON e.annotations->>'backstage.io/managed-by-location' = c.location
     AND e.kind IN ('component', 'api', 'resource')
WHERE c.valid_to IS NULL AND len(c.owners_raw) = 0
UNION ALL
SELECT subject, 'codeowners_disagree',
       'catalog owner ' || resolved_owner || ' is not among the CODEOWNERS owners '
         || array_to_string(claimed_owners, ', '),
       evidence[1]
FROM ownership_conflicts WHERE role = 'codeowner' AND subject LIKE 'component:%';

CREATE VIEW _gaps_repositories AS
SELECT 'repository:' || name AS subject, 'repo_without_catalog_info' AS gap,
       'repository ' || name || ' has no catalog-info.yaml' AS detail,
       coalesce(url, local_path) AS evidence
FROM repository_rows WHERE valid_to IS NULL AND NOT has_catalog_info;

CREATE VIEW _gaps_cloud AS {_EMPTY_GAPS};
CREATE VIEW _gaps_pagerduty AS {_EMPTY_GAPS};

CREATE VIEW _gaps_now AS
SELECT * FROM _gaps_catalog
UNION SELECT * FROM _gaps_codeowners
UNION SELECT * FROM _gaps_repositories
UNION SELECT * FROM _gaps_cloud
UNION SELECT * FROM _gaps_pagerduty;

CREATE VIEW ownership_gaps AS
SELECT g.subject, g.gap, g.detail, g.evidence, g.first_seen, g.last_seen,
       (SELECT count(*) FROM gap_episodes p
        WHERE p.subject = g.subject AND p.gap = g.gap AND p.detail = g.detail
          AND p.closed_at IS NOT NULL) AS earlier_episodes,
       o.owner
FROM gap_episodes g LEFT JOIN ownership o ON o.ref = g.subject
WHERE g.closed_at IS NULL;

CREATE VIEW entity_oncall AS
SELECT NULL::VARCHAR AS ref, NULL::VARCHAR AS service_id, NULL::VARCHAR AS service_name,
       NULL::VARCHAR AS escalation_policy_id, NULL::VARCHAR AS escalation_policy_name,
       NULL::INTEGER AS escalation_levels, NULL::VARCHAR[] AS oncall_now
WHERE false;

CREATE VIEW entity_levels AS
SELECT NULL::VARCHAR AS ref, NULL::VARCHAR AS scorecard, NULL::VARCHAR AS level WHERE false;
"""

MIGRATION = Migration(
    version=2,
    description="ownership claims, CODEOWNERS, repositories, gaps with history",
    tables=(CLAIM_ROWS, REPOSITORY_ROWS, CODEOWNERS_ROWS, CODEOWNERS_RULE_ROWS),
    sql=_SQL,
)
