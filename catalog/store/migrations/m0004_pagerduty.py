"""Migration 4: PagerDuty services, teams, escalation policies, schedules, users, on-calls.

The ``pagerduty`` source fills the ``pd_*_rows`` tables; everything that needs the catalog is a
view here, so the source never reads the database:

* a PagerDuty **service maps to an entity** whose annotation ``pagerduty.com/service-id`` is the
  service id, or whose ``pagerduty.com/integration-key`` is the key of one of the service's
  integrations (``_pd_service_entities``);
* a PagerDuty **team maps to a Group** whose annotation ``pagerduty.com/team-id`` is the team
  id, or failing that, whose ``metadata.name`` equals the slugified team name (lowercase,
  runs of other characters than ``a-z0-9`` become ``-``, trimmed: "Team Payments" ->
  ``team-payments``; the default namespace wins a tie) (``_pd_team_groups``);
* a target of an escalation level **reaches someone** when it is a user PagerDuty returned or a
  schedule with at least one user; a level whose targets reach nobody is "without target";
* **on call now** means an ``/oncalls`` row of the last snapshot whose window contains now()
  (a NULL start/end is open).

Documented views: ``pagerduty_services``, ``escalation_policies``, ``oncalls``; ``entity_oncall``
feeds the graph; ``_oncall_claims`` and ``_gaps_pagerduty`` replace migration 2's placeholders
with the same columns.
"""

from __future__ import annotations

from catalog.store.schema import Migration, SnapshotTable

PD_SERVICE_ROWS = SnapshotTable(
    "pd_service_rows",
    (
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("status", "VARCHAR"),
        ("description", "VARCHAR"),
        ("escalation_policy_id", "VARCHAR"),
        ("team_ids", "VARCHAR[]"),
        ("integration_ids", "VARCHAR[]"),
        ("integration_keys", "VARCHAR[]"),
        ("html_url", "VARCHAR"),
    ),
)

PD_TEAM_ROWS = SnapshotTable(
    "pd_team_rows",
    (("id", "VARCHAR"), ("name", "VARCHAR"), ("description", "VARCHAR"), ("html_url", "VARCHAR")),
)

PD_TEAM_MEMBER_ROWS = SnapshotTable(
    "pd_team_member_rows",
    (("team_id", "VARCHAR"), ("user_id", "VARCHAR"), ("role", "VARCHAR")),
)

PD_ESCALATION_POLICY_ROWS = SnapshotTable(
    "pd_escalation_policy_rows",
    (
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("num_loops", "INTEGER"),
        ("team_ids", "VARCHAR[]"),
        ("level_count", "INTEGER"),
        ("levels", "JSON"),  # [{"level", "rule_id", "delay_minutes", "targets": [{"type", "id"}]}]
        ("html_url", "VARCHAR"),
    ),
)

PD_SCHEDULE_ROWS = SnapshotTable(
    "pd_schedule_rows",
    (
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("time_zone", "VARCHAR"),
        ("user_ids", "VARCHAR[]"),
        ("escalation_policy_ids", "VARCHAR[]"),
        ("html_url", "VARCHAR"),
    ),
)

PD_USER_ROWS = SnapshotTable(
    "pd_user_rows",
    (
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("email", "VARCHAR"),
        ("role", "VARCHAR"),
        ("html_url", "VARCHAR"),
    ),
)

PD_ONCALL_ROWS = SnapshotTable(
    "pd_oncall_rows",
    (
        ("user_id", "VARCHAR"),
        ("user_name", "VARCHAR"),
        ("escalation_policy_id", "VARCHAR"),
        ("escalation_level", "INTEGER"),
        ("schedule_id", "VARCHAR"),
        ("starts_at", "TIMESTAMPTZ"),
        ("ends_at", "TIMESTAMPTZ"),
    ),
)

_LEVELS_TYPE = (
    '[{"level": "INTEGER", "rule_id": "VARCHAR", "delay_minutes": "INTEGER", '
    '"targets": [{"type": "VARCHAR", "id": "VARCHAR"}]}]'
)

_SQL = f"""
CREATE VIEW _pd_service_entities AS
SELECT DISTINCT s.source, s.id AS service_id, e.ref, 'pagerduty.com/service-id' AS mapped_by
FROM pd_service_rows s
JOIN entities e ON trim(e.annotations->>'pagerduty.com/service-id') = s.id
WHERE s.valid_to IS NULL
UNION
SELECT DISTINCT s.source, s.id, e.ref, 'pagerduty.com/integration-key'
FROM (SELECT source, id, unnest(integration_keys) AS integration_key
      FROM pd_service_rows WHERE valid_to IS NULL) s
JOIN entities e ON trim(e.annotations->>'pagerduty.com/integration-key') = s.integration_key;

CREATE VIEW _pd_team_groups AS
WITH teams AS (SELECT source, id, name FROM pd_team_rows WHERE valid_to IS NULL),
groups AS (SELECT ref, namespace, lower(name) AS name,
                  trim(annotations->>'pagerduty.com/team-id') AS team_id
           FROM entities WHERE kind = 'group'),
by_id AS (
  SELECT t.source, t.id, first(g.ref ORDER BY g.ref) AS ref
  FROM teams t JOIN groups g ON g.team_id = t.id GROUP BY t.source, t.id
),
by_name AS (
  SELECT t.source, t.id, first(g.ref ORDER BY g.namespace <> 'default', g.ref) AS ref
  FROM teams t
  JOIN groups g ON g.name = trim(regexp_replace(lower(t.name), '[^a-z0-9]+', '-', 'g'), '-')
  GROUP BY t.source, t.id
)
SELECT t.source, t.id AS team_id, t.name AS team_name, coalesce(i.ref, n.ref) AS group_ref,
       CASE WHEN i.ref IS NOT NULL THEN 'pagerduty.com/team-id'
            WHEN n.ref IS NOT NULL THEN 'name' END AS mapped_by
FROM teams t
LEFT JOIN by_id i ON i.source = t.source AND i.id = t.id
LEFT JOIN by_name n ON n.source = t.source AND n.id = t.id;

CREATE VIEW _pd_levels AS
WITH levels AS (
  SELECT source, id AS policy_id, unnest(from_json(levels, '{_LEVELS_TYPE}')) AS lv
  FROM pd_escalation_policy_rows WHERE valid_to IS NULL
),
targets AS (
  SELECT source, policy_id, lv.level AS level, unnest(lv.targets) AS t FROM levels
),
reachable AS (
  SELECT t.source, t.policy_id, t.level, count(*) AS n
  FROM targets t
  LEFT JOIN pd_user_rows u ON u.valid_to IS NULL AND u.source = t.source AND u.id = t.t.id
  LEFT JOIN pd_schedule_rows s ON s.valid_to IS NULL AND s.source = t.source AND s.id = t.t.id
  WHERE (t.t.type IN ('user', 'user_reference') AND u.id IS NOT NULL)
     OR (t.t.type LIKE 'schedule%' AND len(s.user_ids) > 0)
  GROUP BY ALL
)
SELECT l.source, l.policy_id, l.lv.level AS level, l.lv.delay_minutes AS delay_minutes,
       len(l.lv.targets) AS target_count, coalesce(r.n, 0) AS reachable_targets
FROM levels l
LEFT JOIN reachable r ON r.source = l.source AND r.policy_id = l.policy_id
     AND r.level = l.lv.level;

CREATE VIEW _pd_oncall_now AS
SELECT source, escalation_policy_id AS policy_id, escalation_level AS level, user_id, user_name
FROM pd_oncall_rows
WHERE valid_to IS NULL AND coalesce(starts_at <= now(), true) AND coalesce(ends_at > now(), true);

-- who is paged first: the users on call now at the lowest level that has anyone
CREATE VIEW _pd_first_responders AS
SELECT source, policy_id,
       list(DISTINCT coalesce(user_name, user_id) ORDER BY coalesce(user_name, user_id))
         AS oncall_now
FROM _pd_oncall_now o
WHERE coalesce(level, 0) = (SELECT min(coalesce(level, 0)) FROM _pd_oncall_now x
                            WHERE x.source = o.source AND x.policy_id = o.policy_id)
GROUP BY source, policy_id;

CREATE VIEW _pd_service_refs AS
SELECT source, service_id,
       first(ref ORDER BY NOT starts_with(ref, 'component:'), ref) AS component_ref,
       list(DISTINCT ref ORDER BY ref) AS entity_refs
FROM _pd_service_entities GROUP BY source, service_id;

CREATE VIEW pagerduty_services AS
SELECT s.id, s.name, s.status, s.escalation_policy_id, p.name AS escalation_policy_name,
       s.team_ids, r.component_ref, coalesce(r.entity_refs, []) AS entity_refs,
       s.integration_keys, s.description, s.html_url, s.source, s.valid_from AS run_id
FROM pd_service_rows s
LEFT JOIN pd_escalation_policy_rows p
  ON p.valid_to IS NULL AND p.source = s.source AND p.id = s.escalation_policy_id
LEFT JOIN _pd_service_refs r ON r.source = s.source AND r.service_id = s.id
WHERE s.valid_to IS NULL;

CREATE VIEW escalation_policies AS
SELECT p.id, p.name, p.num_loops, p.team_ids, p.level_count, p.levels,
       (SELECT count(*) FROM _pd_levels l
        WHERE l.source = p.source AND l.policy_id = p.id AND l.reachable_targets = 0)
         AS levels_without_target,
       coalesce(f.oncall_now, []) AS oncall_now,
       coalesce((SELECT list(s.id ORDER BY s.id) FROM pd_service_rows s
                 WHERE s.valid_to IS NULL AND s.source = p.source
                   AND s.escalation_policy_id = p.id), []) AS service_ids,
       p.html_url, p.source, p.valid_from AS run_id
FROM pd_escalation_policy_rows p
LEFT JOIN _pd_first_responders f ON f.source = p.source AND f.policy_id = p.id
WHERE p.valid_to IS NULL;

CREATE VIEW oncalls AS
SELECT o.user_id, coalesce(u.name, o.user_name) AS user_name, u.email AS user_email,
       m.ref AS user_ref, o.escalation_policy_id, p.name AS escalation_policy_name,
       o.escalation_level, o.schedule_id, s.name AS schedule_name, o.starts_at, o.ends_at,
       coalesce(o.starts_at <= now(), true) AND coalesce(o.ends_at > now(), true) AS on_call_now,
       o.source, o.valid_from AS run_id
FROM pd_oncall_rows o
LEFT JOIN pd_user_rows u ON u.valid_to IS NULL AND u.source = o.source AND u.id = o.user_id
LEFT JOIN _users_by_email m ON m.email = lower(u.email)
LEFT JOIN pd_escalation_policy_rows p
  ON p.valid_to IS NULL AND p.source = o.source AND p.id = o.escalation_policy_id
LEFT JOIN pd_schedule_rows s
  ON s.valid_to IS NULL AND s.source = o.source AND s.id = o.schedule_id
WHERE o.valid_to IS NULL;

CREATE OR REPLACE VIEW entity_oncall AS
SELECT m.ref, s.id AS service_id, s.name AS service_name,
       s.escalation_policy_id, p.name AS escalation_policy_name,
       CAST(p.level_count AS INTEGER) AS escalation_levels,
       coalesce(f.oncall_now, [])::VARCHAR[] AS oncall_now
FROM (SELECT DISTINCT source, service_id, ref FROM _pd_service_entities) m
JOIN pd_service_rows s ON s.valid_to IS NULL AND s.source = m.source AND s.id = m.service_id
LEFT JOIN pd_escalation_policy_rows p
  ON p.valid_to IS NULL AND p.source = s.source AND p.id = s.escalation_policy_id
LEFT JOIN _pd_first_responders f ON f.source = s.source AND f.policy_id = s.escalation_policy_id;

-- a service's teams (or, if it has none, its escalation policy's) own the on-call for its entities
CREATE OR REPLACE VIEW _oncall_claims AS
WITH service_teams AS (
  SELECT s.source, s.id AS service_id, s.escalation_policy_id,
         unnest(CASE WHEN len(s.team_ids) > 0 THEN s.team_ids
                     ELSE coalesce(p.team_ids, []) END) AS team_id
  FROM pd_service_rows s
  LEFT JOIN pd_escalation_policy_rows p
    ON p.valid_to IS NULL AND p.source = s.source AND p.id = s.escalation_policy_id
  WHERE s.valid_to IS NULL
)
SELECT DISTINCT m.ref AS subject, g.group_ref AS owner,
       coalesce(g.team_name, t.team_id) AS owner_raw, 'oncall' AS role, t.source,
       'pagerduty:service/' || t.service_id || ' team/' || t.team_id
         || coalesce(' escalation_policy/' || t.escalation_policy_id, '') AS evidence
FROM service_teams t
JOIN _pd_service_entities m ON m.source = t.source AND m.service_id = t.service_id
LEFT JOIN _pd_team_groups g ON g.source = t.source AND g.team_id = t.team_id;

CREATE OR REPLACE VIEW _gaps_pagerduty AS
WITH services AS (
  SELECT s.source, s.id, s.name, s.escalation_policy_id,
         coalesce(p.name, s.escalation_policy_id, '(none)') AS policy_name,
         p.id AS known_policy, p.level_count,
         'pagerduty:service/' || s.id
           || coalesce(' escalation_policy/' || s.escalation_policy_id, '') AS evidence
  FROM pd_service_rows s
  LEFT JOIN pd_escalation_policy_rows p
    ON p.valid_to IS NULL AND p.source = s.source AND p.id = s.escalation_policy_id
  WHERE s.valid_to IS NULL
),
subjects AS (
  SELECT s.*, coalesce(m.ref, 'pagerduty:service/' || s.id) AS subject,
         'PagerDuty service ' || s.name || ' (' || s.id || ')' AS label
  FROM services s
  LEFT JOIN (SELECT DISTINCT source, service_id, ref FROM _pd_service_entities) m
    ON m.source = s.source AND m.service_id = s.id
)
SELECT e.ref AS subject, 'production_without_oncall' AS gap,
       CASE WHEN e.annotations->>'pagerduty.com/service-id' IS NULL
                 AND e.annotations->>'pagerduty.com/integration-key' IS NULL
            THEN 'production component without a PagerDuty service '
                 || '(no pagerduty.com/service-id or pagerduty.com/integration-key annotation)'
            ELSE 'production component whose PagerDuty annotation names no known service ('
                 || coalesce(e.annotations->>'pagerduty.com/service-id',
                             e.annotations->>'pagerduty.com/integration-key') || ')' END
         AS detail,
       e.location || ':' || e.line AS evidence
FROM entities e
WHERE e.kind = 'component' AND e.lifecycle = 'production'
  AND EXISTS (SELECT 1 FROM pd_service_rows WHERE valid_to IS NULL)
  AND e.ref NOT IN (SELECT ref FROM _pd_service_entities)
UNION ALL
SELECT subject, 'escalation_policy_single_level',
       label || ' escalates through ' || policy_name || ' (' || escalation_policy_id
         || '), which has only one level',
       evidence
FROM subjects WHERE level_count = 1
UNION ALL
SELECT s.subject, 'escalation_level_without_target',
       s.label || ': level ' || l.level || ' of escalation policy ' || s.policy_name || ' ('
         || s.escalation_policy_id || ') '
         || CASE WHEN l.target_count = 0 THEN 'has no target'
                 ELSE 'has no target that reaches anyone (unknown users or empty schedules)' END,
       s.evidence || ' level/' || l.level
FROM subjects s
JOIN _pd_levels l ON l.source = s.source AND l.policy_id = s.escalation_policy_id
WHERE l.reachable_targets = 0
UNION ALL
SELECT subject, 'nobody_oncall',
       label || CASE WHEN known_policy IS NULL
                     THEN ' has no escalation policy PagerDuty returned ('
                          || coalesce(escalation_policy_id, 'none') || ')'
                     ELSE ': nobody is on call now on escalation policy ' || policy_name
                          || ' (' || escalation_policy_id || ')' END,
       evidence
FROM subjects s
WHERE NOT EXISTS (SELECT 1 FROM _pd_oncall_now o
                  WHERE o.source = s.source AND o.policy_id = s.escalation_policy_id)
UNION ALL
SELECT 'pagerduty:team/' || team_id, 'pagerduty_team_without_group',
       'PagerDuty team ' || team_name || ' (' || team_id || ') maps to no catalog Group '
         || '(no Group has pagerduty.com/team-id: ' || team_id || ' or the name '
         || trim(regexp_replace(lower(team_name), '[^a-z0-9]+', '-', 'g'), '-') || ')',
       'pagerduty:team/' || team_id
FROM _pd_team_groups WHERE group_ref IS NULL
UNION ALL
SELECT 'pagerduty:service/' || id, 'pagerduty_service_unmapped',
       'PagerDuty service ' || name || ' (' || id || ') maps to no catalog entity (no '
         || 'pagerduty.com/service-id or pagerduty.com/integration-key annotation names it)',
       evidence
FROM subjects WHERE subject = 'pagerduty:service/' || id;
"""

MIGRATION = Migration(
    version=4,
    description=(
        "PagerDuty services, teams, escalation policies, schedules, users, on-calls (issue 5)"
    ),
    sql=_SQL,
    tables=(
        PD_SERVICE_ROWS,
        PD_TEAM_ROWS,
        PD_TEAM_MEMBER_ROWS,
        PD_ESCALATION_POLICY_ROWS,
        PD_SCHEDULE_ROWS,
        PD_USER_ROWS,
        PD_ONCALL_ROWS,
    ),
)
