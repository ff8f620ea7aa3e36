/**
 * The plugin's hand-kept types against the service's OpenAPI schema (recorded from the real
 * service into `__fixtures__/openapi.json` by tests/plugin_contract in the Python suite).
 *
 * For each type, `shape<T>()` lists its fields; TypeScript refuses a list that misses a field or
 * names one T lacks, and marks each field optional or required, nullable or not. The test then
 * compares the list with the schema: every field exists there, nullability agrees, a required
 * field is always sent (required or with a default), and a field the schema requires is not
 * left out (unless the type is declared a partial view).
 */
import openapi from '../__fixtures__/openapi.json';
import * as T from './types';

type Presence<V, K extends keyof V> = {} extends Pick<V, K> ? 'optional' : 'required';
type Nullability<V, K extends keyof V> = null extends V[K] ? '|null' : '';
type Shape<V> = { [K in keyof Required<V>]: `${Presence<V, K>}${Nullability<V, K>}` };

function shape<V>() {
  return <S extends Shape<V>>(s: S & Record<Exclude<keyof S, keyof V>, never>) =>
    s as Record<string, string>;
}

const checked: Array<[schema: string, fields: Record<string, string>, partial?: boolean]> = [
  ['EntityScorecards', shape<T.EntityScorecards>()({ ref: 'required', scorecards: 'required' })],
  [
    'EntityScorecard',
    shape<T.EntityScorecard>()({
      id: 'required',
      title: 'required',
      level: 'required|null',
      score: 'required|null',
      levels: 'required',
      checks: 'required',
      history: 'required',
    }),
  ],
  [
    'CheckResult',
    shape<T.ScorecardCheck>()({
      id: 'required',
      title: 'required',
      level: 'required',
      weight: 'required',
      state: 'required',
      evidence: 'required',
      exemption: 'required|null',
    }),
  ],
  ['Exemption', shape<T.Exemption>()({ reason: 'required', expires: 'required|null' })],
  [
    'ScoreHistoryPoint',
    shape<T.ScorecardHistoryPoint>()({
      run_id: 'required',
      at: 'required',
      level: 'required|null',
      score: 'required|null',
    }),
  ],
  [
    'EntityOwnership',
    shape<T.EntityOwnership>()({
      ref: 'required',
      owner: 'required|null',
      resolved_from: 'optional|null',
      agreeing_sources: 'optional',
      disagreeing_sources: 'optional',
      claims: 'required',
      conflicts: 'required',
      gaps: 'required',
      oncall: 'required|null',
    }),
  ],
  [
    'Claim',
    shape<T.OwnershipClaim>()({
      owner: 'required|null',
      role: 'required',
      source: 'required',
      evidence: 'required|null',
      owner_raw: 'optional|null',
      observed_at: 'optional|null',
    }),
  ],
  [
    'Conflict',
    shape<T.OwnershipConflict>()({
      role: 'required',
      source: 'required',
      resolved_owner: 'required|null',
      claimed_owners: 'required',
      evidence: 'required',
    }),
  ],
  [
    'EntityGap',
    shape<T.OwnershipGap>()({
      gap: 'required',
      detail: 'required',
      first_seen: 'required',
      evidence: 'optional|null',
    }),
  ],
  [
    'OnCall',
    shape<T.Oncall>()({
      service_id: 'required|null',
      service_name: 'required|null',
      escalation_policy_id: 'required|null',
      escalation_policy_name: 'required|null',
      escalation_levels: 'required|null',
      oncall_now: 'required',
    }),
  ],
  [
    'BlastRadius',
    shape<T.BlastRadius>()({ ref: 'required', impacted: 'required', summary: 'required' }),
  ],
  [
    'Impacted',
    shape<T.ImpactedEntity>()({
      ref: 'required',
      depth: 'required',
      path: 'required',
      owners: 'required',
      oncall: 'required|null',
      level: 'required|null',
      missing: 'optional',
    }),
  ],
  [
    'TeamScorecards',
    shape<T.TeamScorecards>()({
      team: 'required',
      groups: 'required',
      scorecards: 'required',
      entities: 'required',
    }),
  ],
  [
    'TeamScorecardRollup',
    shape<T.TeamScorecardRollup>()({
      scorecard: 'required',
      entities: 'required',
      own_entities: 'required',
      average_score: 'required|null',
      levels: 'required',
      passed: 'required',
      failed: 'required',
      exempt: 'required',
      unknown: 'required',
    }),
  ],
  [
    'TeamEntityScore',
    shape<T.TeamEntityScore>()({
      scorecard: 'required',
      ref: 'required',
      owner: 'required|null',
      level: 'required|null',
      score: 'required|null',
      failed: 'required',
      unknown: 'required',
    }),
  ],
  [
    'Gaps',
    shape<T.TeamGaps>()({
      team: 'required|null',
      count: 'required',
      by_type: 'required',
      gaps: 'required',
    }),
  ],
  [
    'Gap',
    shape<T.TeamGap>()({
      subject: 'required',
      gap: 'required',
      detail: 'required',
      evidence: 'required|null',
      owner: 'required|null',
      first_seen: 'required',
      last_seen: 'required',
      earlier_episodes: 'required',
    }),
  ],
  [
    'OwnershipGapReport',
    shape<T.OwnershipGapReport>()({
      week: 'required',
      partial: 'required',
      no_change: 'required',
      totals: 'required',
      change: 'required',
      teams: 'required',
      suggestions: 'required',
    }),
    true,
  ],
  [
    'Counts',
    shape<T.GapCounts>()({
      open: 'required',
      new: 'required',
      resolved: 'required',
      open_previous_week: 'required',
    }),
  ],
  [
    'TeamSection',
    shape<T.ReportTeamSection>()({
      team: 'required|null',
      parent: 'required|null',
      rollup: 'required',
      own: 'required',
    }),
    true,
  ],
  [
    'GapSuggestions',
    shape<T.GapSuggestions>()({
      subject: 'required',
      gap: 'required',
      detail: 'required',
      suggestions: 'required',
    }),
  ],
  [
    'Suggestion',
    shape<T.SuggestedOwner>()({ owner: 'required', score: 'required', evidence: 'required' }),
  ],
  ['Evidence', shape<T.SuggestionEvidence>()({ kind: 'required', detail: 'required' })],
];

type Property = { type?: string; anyOf?: Array<{ type?: string }>; default?: unknown };
type Schema = { properties: Record<string, Property>; required?: string[] };
const schemas = (openapi as unknown as { components: { schemas: Record<string, Schema> } })
  .components.schemas;

function nullable(p: Property): boolean {
  return p.type === 'null' || (p.anyOf ?? []).some(a => a.type === 'null');
}

describe('types against /openapi.json', () => {
  // every row has three values: jest would take a third parameter missing from a row for `done`
  const rows = checked.map(([name, fields, partial]) => [name, fields, partial === true] as const);
  it.each(rows)('%s', (name, fields, partial) => {
    const schema = schemas[name];
    expect(schema).toBeDefined();
    const required = new Set(schema.required ?? []);
    const specs = Object.entries(fields);
    const notInSchema = specs.filter(([f]) => !schema.properties[f]).map(([f]) => f);
    expect(notInSchema).toEqual([]);
    const nullMismatch = specs
      .filter(([f, spec]) => spec.endsWith('|null') !== nullable(schema.properties[f] ?? {}))
      .map(([f]) => f);
    expect(nullMismatch).toEqual([]);
    const notAlwaysSent = specs
      .filter(([, spec]) => spec.startsWith('required'))
      .filter(([f]) => !required.has(f) && !('default' in (schema.properties[f] ?? {})))
      .map(([f]) => f);
    expect(notAlwaysSent).toEqual([]);
    const leftOut = partial
      ? []
      : Object.keys(schema.properties).filter(f => !(f in fields));
    expect(leftOut).toEqual([]);
  });

  it('covers every schema a route the plugin calls returns', () => {
    const used = [
      '/api/v1/entities/{kind}/{namespace}/{name}/scorecards',
      '/api/v1/entities/{kind}/{namespace}/{name}/ownership',
      '/api/v1/entities/{kind}/{namespace}/{name}/blast-radius',
      '/api/v1/teams/{namespace}/{name}/scorecards',
      '/api/v1/teams/{namespace}/{name}/gaps',
      '/api/v1/reports/ownership-gaps',
    ];
    const paths = (openapi as unknown as { paths: Record<string, { get?: any }> }).paths;
    const names = checked.map(([name]) => name);
    for (const path of used) {
      const ref: string =
        paths[path].get.responses['200'].content['application/json'].schema.$ref;
      expect(names).toContain(ref.split('/').pop());
    }
  });
});
