"""Migration 5: readiness scorecards — results per run, levels, scores, team roll-ups (issue 7).

History tables (one row set per scorecard run, never rewritten): ``scorecard_runs``,
``scorecard_check_rows`` (the definition each run evaluated), ``scorecard_result_rows`` (every
check result: pass | fail | exempt | unknown, with evidence), ``scorecard_entity_rows`` (level
and score per entity), ``scorecard_exemption_rows`` (every exemption read, active or expired).

Working tables ``_sc_*`` are the engine's scratch space: filled and emptied inside one
transaction (a dry run rolls it back), so they are empty outside a run.

Documented views: ``scorecard_results``, ``scorecard_scores``, ``team_scorecards``,
``scorecard_exemptions`` (the latest run of each scorecard), ``scorecard_result_history``,
``scorecard_score_history`` (every run); ``entity_levels`` replaces migration 2's placeholder.
"""

from __future__ import annotations

from catalog.store.schema import Migration

_TABLES = """
CREATE SEQUENCE scorecard_run_ids START 1;
CREATE TABLE scorecard_runs (
  run_id BIGINT PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ NOT NULL,
  scorecards VARCHAR[] NOT NULL,
  entity_count BIGINT NOT NULL,
  result_count BIGINT NOT NULL,
  expired_exemptions INTEGER NOT NULL
);
CREATE TABLE scorecard_check_rows (
  run_id BIGINT NOT NULL,
  scorecard VARCHAR NOT NULL,
  scorecard_title VARCHAR NOT NULL,
  check_id VARCHAR NOT NULL,
  title VARCHAR NOT NULL,
  type VARCHAR NOT NULL,
  level VARCHAR NOT NULL,
  level_rank INTEGER NOT NULL,
  weight DOUBLE NOT NULL,
  levels VARCHAR[] NOT NULL
);
CREATE TABLE scorecard_result_rows (
  run_id BIGINT NOT NULL,
  scorecard VARCHAR NOT NULL,
  check_id VARCHAR NOT NULL,
  ref VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  evidence VARCHAR,
  exemption_reason VARCHAR,
  exemption_expires DATE
);
CREATE TABLE scorecard_entity_rows (
  run_id BIGINT NOT NULL,
  scorecard VARCHAR NOT NULL,
  ref VARCHAR NOT NULL,
  owner VARCHAR,
  level VARCHAR,
  level_rank INTEGER NOT NULL,
  score DOUBLE NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  exempt INTEGER NOT NULL,
  unknown INTEGER NOT NULL
);
CREATE TABLE scorecard_exemption_rows (
  run_id BIGINT NOT NULL,
  file VARCHAR NOT NULL,
  line INTEGER,
  entity VARCHAR,
  owner VARCHAR,
  scorecard VARCHAR,
  check_id VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  expires DATE NOT NULL,
  status VARCHAR NOT NULL,          -- active | expired
  applied INTEGER NOT NULL          -- results it turned into exempt in this run
);

-- scratch space of one evaluation (see the module docstring)
CREATE TABLE _sc_scope (
  scorecard VARCHAR, ref VARCHAR, kind VARCHAR, owner VARCHAR, lifecycle VARCHAR,
  tags VARCHAR[], facts JSON[], source VARCHAR, stale VARCHAR
);
CREATE TABLE _sc_exemptions (
  idx INTEGER, entity VARCHAR, owner VARCHAR, scorecard VARCHAR, check_id VARCHAR,
  reason VARCHAR, expires DATE
);
CREATE TABLE _sc_levels (
  scorecard VARCHAR, ref VARCHAR, bad_from INTEGER
);
CREATE TABLE _sc_dep_edges (
  scorecard VARCHAR, check_id VARCHAR, ref VARCHAR, dependency VARCHAR, exempt BOOLEAN
);
CREATE TABLE _sc_checks (
  scorecard VARCHAR, scorecard_title VARCHAR, check_id VARCHAR, title VARCHAR, type VARCHAR,
  level VARCHAR, level_rank INTEGER, weight DOUBLE, levels VARCHAR[],
  dep_scorecard VARCHAR, dep_rank INTEGER
);
"""

_VIEWS = """
CREATE VIEW _scorecard_latest AS
SELECT scorecard, max(run_id) AS run_id FROM scorecard_check_rows GROUP BY scorecard;

CREATE VIEW scorecard_result_history AS
SELECT r.run_id, r.scorecard, c.scorecard_title, r.check_id, c.title AS check_title, c.type,
       c.level, c.level_rank, c.weight, r.ref, r.state, r.evidence, r.exemption_reason,
       r.exemption_expires, u.started_at AS evaluated_at
FROM scorecard_result_rows r
JOIN scorecard_check_rows c USING (run_id, scorecard, check_id)
JOIN scorecard_runs u USING (run_id);

CREATE VIEW scorecard_results AS
SELECT h.* FROM scorecard_result_history h JOIN _scorecard_latest l USING (scorecard, run_id);

CREATE VIEW scorecard_score_history AS
SELECT e.run_id, e.scorecard, e.ref, e.owner, e.level, e.level_rank, e.score, e.passed,
       e.failed, e.exempt, e.unknown, u.started_at AS evaluated_at
FROM scorecard_entity_rows e JOIN scorecard_runs u USING (run_id);

CREATE VIEW scorecard_scores AS
SELECT h.* FROM scorecard_score_history h JOIN _scorecard_latest l USING (scorecard, run_id);

CREATE VIEW scorecard_exemptions AS
SELECT x.* FROM scorecard_exemption_rows x
WHERE x.run_id = (SELECT max(run_id) FROM scorecard_runs);

-- every group with itself and every group below it (parentOf, recursively)
CREATE VIEW _group_tree AS
WITH RECURSIVE tree(team, member_group) AS (
  SELECT ref, ref FROM entities WHERE kind = 'group'
  UNION
  SELECT t.team, r.target_ref FROM tree t
  JOIN relations r ON r.source_ref = t.member_group AND r.type = 'parentOf'
)
SELECT team, member_group FROM tree;

CREATE VIEW team_scorecards AS
WITH per_level AS (
  SELECT t.team, s.scorecard, coalesce(s.level, 'none') AS level, count(*) AS n
  FROM scorecard_scores s JOIN _group_tree t ON t.member_group = s.owner
  GROUP BY ALL
)
SELECT t.team, s.scorecard, count(*) AS entities,
       count(*) FILTER (WHERE s.owner = t.team) AS own_entities,
       round(avg(s.score), 1) AS average_score,
       (SELECT map(list(p.level ORDER BY p.level), list(p.n ORDER BY p.level)) FROM per_level p
        WHERE p.team = t.team AND p.scorecard = s.scorecard) AS levels,
       sum(s.passed) AS passed, sum(s.failed) AS failed, sum(s.exempt) AS exempt,
       sum(s.unknown) AS unknown, max(s.run_id) AS run_id
FROM scorecard_scores s JOIN _group_tree t ON t.member_group = s.owner
GROUP BY t.team, s.scorecard;

CREATE OR REPLACE VIEW entity_levels AS
SELECT ref, scorecard, level FROM scorecard_scores;
"""

MIGRATION = Migration(
    version=5,
    description="readiness scorecards: results, levels, scores, team roll-ups, history",
    sql=_TABLES + _VIEWS,
    tables=(),
)
