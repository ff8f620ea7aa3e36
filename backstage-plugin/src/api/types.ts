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
  level: string | null;
  weight: number;
  state: CheckState;
  evidence: string | null;
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
  service_id?: string | null;
  service_name?: string | null;
  escalation_policy_id?: string | null;
  escalation_policy_name?: string | null;
  escalation_levels?: number | null;
  oncall_now?: string[];
}

/** One source's opinion about who owns an entity. */
export interface OwnershipClaim {
  owner: string;
  role: string;
  source: string;
  evidence: string;
}

/** An open ownership gap of an entity. */
export interface OwnershipGap {
  gap: string;
  detail: string;
  first_seen: string;
}

/** `GET /api/v1/entities/{kind}/{namespace}/{name}/ownership` */
export interface EntityOwnership {
  ref: string;
  owner: string | null;
  claims: OwnershipClaim[];
  conflicts: OwnershipConflict[];
  gaps: OwnershipGap[];
  oncall: Oncall | null;
}

/** Sources that name another owner than the resolved one. */
export interface OwnershipConflict {
  owner: string;
  sources: string[];
}

/** One entity that is impacted if the entity fails. */
export interface ImpactedEntity {
  ref: string;
  depth: number;
  path: string[];
  owners: string[];
  oncall: Oncall | null;
  level: string | null;
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
  title: string;
  entities: number;
  average_score: number | null;
  levels: Record<string, number>;
  passed: number;
  failed: number;
  exempt: number;
  unknown: number;
}

/** `GET /api/v1/teams/{namespace}/{name}/scorecards` */
export interface TeamScorecards {
  team: string;
  scorecards: TeamScorecardRollup[];
}

/** A suggested owner for an entity without a (known) owner, with why. */
export interface SuggestedOwner {
  owner: string;
  evidence: string;
}

/** One open gap of a team (or a group below it). */
export interface TeamGap {
  subject: string;
  gap: string;
  detail: string;
  first_seen: string;
  suggestions: SuggestedOwner[];
}

/** `GET /api/v1/teams/{namespace}/{name}/gaps` */
export interface TeamGaps {
  team: string;
  gaps: TeamGap[];
  week: { new: number; resolved: number; open: number; open_last_week: number } | null;
}
