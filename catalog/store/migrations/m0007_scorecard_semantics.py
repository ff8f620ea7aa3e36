"""Migration 7: group members that resolve, and exemptions counted per scorecard (issue 14).

* A group is staffed only by members that are User entities of the catalog:
  ``_populated_groups`` counts ``hasMember`` targets that resolve to a User, and the new gap
  ``group_member_not_in_catalog`` names every listed member that does not (a group whose only
  members left the company is no longer "staffed").
* ``scorecard_exemptions.applied`` counts the results each exemption turns into ``exempt`` in
  the *latest run of each scorecard* (it read the newest run of any scorecard, so
  ``steward scorecard run --scorecard A`` showed 0 for every exemption of B). Each exempt result
  now records which exemption applied (``exemption_file``, ``exemption_line``: the first that
  covers it, whose reason it carries).
"""

from __future__ import annotations

from catalog.store.schema import Migration

_SQL = """
ALTER TABLE scorecard_result_rows ADD COLUMN exemption_file VARCHAR;
ALTER TABLE scorecard_result_rows ADD COLUMN exemption_line INTEGER;
ALTER TABLE _sc_exemptions ADD COLUMN file VARCHAR;
ALTER TABLE _sc_exemptions ADD COLUMN line INTEGER;

CREATE OR REPLACE VIEW scorecard_exemptions AS
WITH applied AS (
  SELECT r.exemption_file, r.exemption_line, count(*) AS n
  FROM scorecard_result_rows r JOIN _scorecard_latest l USING (scorecard, run_id)
  WHERE r.state = 'exempt' AND r.exemption_file IS NOT NULL
  GROUP BY r.exemption_file, r.exemption_line)
SELECT x.run_id, x.file, x.line, x.entity, x.owner, x.scorecard, x.check_id, x.reason,
       x.expires, x.status, CAST(coalesce(a.n, 0) AS INTEGER) AS applied
FROM scorecard_exemption_rows x
LEFT JOIN applied a ON a.exemption_file = x.file AND a.exemption_line IS NOT DISTINCT FROM x.line
WHERE x.run_id = (SELECT max(run_id) FROM scorecard_runs);

CREATE OR REPLACE VIEW _populated_groups AS
WITH RECURSIVE populated(ref) AS (
  SELECT DISTINCT r.source_ref FROM relations r
  WHERE r.type = 'hasMember'
    AND r.target_ref IN (SELECT ref FROM entities WHERE kind = 'user')
  UNION
  SELECT r.source_ref FROM relations r JOIN populated p ON r.target_ref = p.ref
  WHERE r.type = 'parentOf'
)
SELECT ref FROM populated;

CREATE VIEW _gaps_membership AS
SELECT DISTINCT r.source_ref AS subject, 'group_member_not_in_catalog' AS gap,
       'member ' || r.target_ref || ' is not a User of the catalog' AS detail,
       g.location || ':' || g.line AS evidence
FROM relations r JOIN entities g ON g.ref = r.source_ref AND g.kind = 'group'
WHERE r.type = 'hasMember'
  AND r.target_ref NOT IN (SELECT ref FROM entities WHERE kind = 'user');

CREATE OR REPLACE VIEW _gaps_now AS
SELECT * FROM _gaps_catalog
UNION SELECT * FROM _gaps_codeowners
UNION SELECT * FROM _gaps_repositories
UNION SELECT * FROM _gaps_cloud
UNION SELECT * FROM _gaps_pagerduty
UNION SELECT * FROM _gaps_membership;
"""

MIGRATION = Migration(
    version=7,
    description="members resolve to Users (gap for those that do not); exemptions applied per "
    "scorecard's latest run",
    sql=_SQL,
)
