/**
 * The JSON the Steward service returns to the plugin (see DESIGN.md "HTTP API").
 *
 * Hand-kept; `types.test.ts` checks every field against the service's `/openapi.json`
 * (recorded in `src/__fixtures__/openapi.json`), so a drift fails the tests.
 */

/** The state of one check for one entity. */
export type CheckState = 'pass' | 'fail' | 'exempt' | 'unknown';

/** Why a failing check does not count, and until when. */
export interface Exemption {
  reason: string;
  expires: string | null;
}

/** One check of a scorecard, evaluated for one entity. */
export interface ScorecardCheck {
  id: string;
  title: string;
  level: string;
  weight: number;
  state: CheckState;
  evidence: string;
  exemption: Exemption | null;
}

/** The entity's level and score in one past scorecard run. */
export interface ScorecardHistoryPoint {
  run_id: number;
  at: string;
  level: string | null;
  score: number | null;
}

/** One scorecard for one entity. `levels` run from low to high. */
export interface EntityScorecard {
  id: string;
  title: string;
  level: string | null;
  score: number | null;
  levels: string[];
  checks: ScorecardCheck[];
  history: ScorecardHistoryPoint[];
}

/** `GET /api/v1/entities/{kind}/{namespace}/{name}/scorecards` */
export interface EntityScorecards {
  ref: string;
  scorecards: EntityScorecard[];
}

/** Who is on call for an entity, from PagerDuty. */
export interface Oncall {
  service_id: string | null;
  service_name: string | null;
  escalation_policy_id: string | null;
  escalation_policy_name: string | null;
  escalation_levels: number | null;
  oncall_now: string[];
}

/** One source's opinion about who owns an entity. */
export interface OwnershipClaim {
  owner: string | null;
  role: string;
  source: string;
  evidence: string | null;
  owner_raw?: string | null;
  observed_at?: string | null;
}

/** A source (in one role) that names other owners than the resolved one. */
export interface OwnershipConflict {
  role: string;
  source: string;
  resolved_owner: string | null;
  claimed_owners: string[];
  evidence: string[];
}

/** An open ownership gap of an entity. */
export interface OwnershipGap {
  gap: string;
  detail: string;
  first_seen: string;
  evidence?: string | null;
}

/** `GET /api/v1/entities/{kind}/{namespace}/{name}/ownership` */
export interface EntityOwnership {
  ref: string;
  owner: string | null;
  resolved_from?: string | null;
  agreeing_sources?: string[];
  disagreeing_sources?: string[];
  claims: OwnershipClaim[];
  conflicts: OwnershipConflict[];
  gaps: OwnershipGap[];
  oncall: Oncall | null;
}

/** One entity that is impacted if the entity fails. */
export interface ImpactedEntity {
  ref: string;
  depth: number;
  /** refs from the impacted entity to the entity asked about */
  path: string[];
  owners: string[];
  oncall: Oncall | null;
  level: string | null;
  missing?: boolean;
}

/** `GET /api/v1/entities/{kind}/{namespace}/{name}/blast-radius` */
export interface BlastRadius {
  ref: string;
  impacted: ImpactedEntity[];
  summary: Record<string, unknown>;
}

/** A team's roll-up of one scorecard over the team and the groups below it. */
export interface TeamScorecardRollup {
  scorecard: string;
  entities: number;
  own_entities: number;
  average_score: number | null;
  levels: Record<string, number>;
  passed: number;
  failed: number;
  exempt: number;
  unknown: number;
}

/** One entity of the team in one scorecard. */
export interface TeamEntityScore {
  scorecard: string;
  ref: string;
  owner: string | null;
  level: string | null;
  score: number | null;
  failed: number;
  unknown: number;
}

/** `GET /api/v1/teams/{namespace}/{name}/scorecards` */
export interface TeamScorecards {
  team: string;
  /** the team and every group below it */
  groups: string[];
  scorecards: TeamScorecardRollup[];
  entities: TeamEntityScore[];
}

/** One open ownership gap. */
export interface TeamGap {
  subject: string;
  gap: string;
  detail: string;
  evidence: string | null;
  owner: string | null;
  first_seen: string;
  last_seen: string;
  earlier_episodes: number;
}

/** `GET /api/v1/teams/{namespace}/{name}/gaps` */
export interface TeamGaps {
  team: string | null;
  count: number;
  by_type: Record<string, number>;
  gaps: TeamGap[];
}

/** Gap counts of a week. */
export interface GapCounts {
  open: number;
  new: number;
  resolved: number;
  open_previous_week: number;
}

/** One team's part of the weekly report. */
export interface ReportTeamSection {
  team: string | null;
  parent: string | null;
  /** this group and every group below it */
  rollup: GapCounts;
  own: GapCounts;
}

/** Why an owner is suggested. */
export interface SuggestionEvidence {
  kind: string;
  detail: string;
}

/** A suggested owner, ranked by the weight of its evidence. */
export interface SuggestedOwner {
  owner: string;
  score: number;
  evidence: SuggestionEvidence[];
}

/** Suggested owners for one gap. */
export interface GapSuggestions {
  subject: string;
  gap: string;
  detail: string;
  suggestions: SuggestedOwner[];
}

/** `GET /api/v1/reports/ownership-gaps?format=json` (the parts the plugin reads). */
export interface OwnershipGapReport {
  week: string;
  partial: boolean;
  no_change: boolean;
  totals: GapCounts;
  change: number;
  teams: ReportTeamSection[];
  suggestions: GapSuggestions[];
}
