import { screen, within } from '@testing-library/react';
import {
  GroupStewardContent,
  scorecardTitle,
  suggestedFor,
  weekCounts,
  withSuggestions,
} from './GroupStewardContent';
import {
  entities,
  errors,
  failingApi,
  fixtures,
  pendingApi,
  recordedApi,
  renderForEntity,
} from '../../__testUtils__/render';

describe('GroupStewardContent', () => {
  it("shows the team's roll-up per scorecard", async () => {
    const api = recordedApi();
    await renderForEntity(<GroupStewardContent />, entities.commerce, api);
    for (const rollup of fixtures.teamScorecards.scorecards) {
      const row = (await screen.findByText(scorecardTitle(rollup.scorecard))).closest('tr')!;
      expect(
        within(row).getByText(`${rollup.entities} (${rollup.own_entities})`),
      ).toBeInTheDocument();
      for (const [level, n] of Object.entries(rollup.levels)) {
        expect(within(row).getByText(`${level}: ${n}`)).toBeInTheDocument();
      }
    }
    expect(api.getTeamScorecards).toHaveBeenCalledWith({
      kind: 'Group',
      namespace: 'default',
      name: 'dept-commerce',
    });
  });

  it('lists open gaps with their entity links and suggested owners', async () => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, recordedApi());
    const gaps = fixtures.teamGaps.gaps;
    expect(await screen.findByText(`Open ownership gaps (${gaps.length})`)).toBeInTheDocument();
    const rows = screen
      .getAllByText(gaps[0].detail)[0]
      .closest('tbody')!
      .querySelectorAll('tr');
    expect(rows).toHaveLength(gaps.length);
    gaps.forEach((gap, i) => {
      const row = rows[i];
      expect(within(row).getByText(gap.detail)).toBeInTheDocument();
      const [kind, rest] = gap.subject.split(':');
      expect(within(row).getAllByRole('link')[0]).toHaveAttribute(
        'href',
        `/catalog/default/${kind}/${rest.split('/')[1]}`,
      );
    });
  });

  it('shows the week-over-week change from the weekly report', async () => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, recordedApi());
    const counts = weekCounts(fixtures.report, 'group:default/dept-commerce')!;
    expect(counts).not.toBeNull();
    expect(await screen.findByText('Week over week')).toBeInTheDocument();
    const change = counts.open - counts.open_previous_week;
    expect(screen.getByText('vs last week').previousSibling).toHaveTextContent(
      `${change > 0 ? '+' : ''}${change}`,
    );
    expect(screen.getByText('new this week').previousSibling).toHaveTextContent(
      String(counts.new),
    );
    expect(screen.getByText('resolved this week').previousSibling).toHaveTextContent(
      String(counts.resolved),
    );
  });

  it('lists unowned entities whose suggested owner is the team or a group below it', async () => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, recordedApi());
    const groups = [fixtures.teamScorecards.team, ...fixtures.teamScorecards.groups];
    const expected = suggestedFor(fixtures.report, groups);
    expect(expected.length).toBeGreaterThan(0);
    const rows = await screen.findAllByTestId('steward-suggestion');
    expect(rows).toHaveLength(expected.flatMap(s => s.suggestions).length);
    const first = expected[0].suggestions[0];
    expect(within(rows[0]).getByText(first.evidence[0].detail)).toBeInTheDocument();
    expect(within(rows[0]).getByRole('link')).toHaveAttribute(
      'href',
      `/catalog/default/group/${first.owner.split('/')[1]}`,
    );
  });

  it('matches suggestions to gaps by subject and gap type', () => {
    const [gap] = fixtures.teamGaps.gaps;
    const report = structuredClone(fixtures.report);
    report.suggestions = [
      { subject: gap.subject, gap: gap.gap, detail: '', suggestions: [{ owner: 'group:default/x', score: 3, evidence: [] }] },
      { subject: gap.subject, gap: 'other_gap', detail: '', suggestions: [{ owner: 'group:default/y', score: 3, evidence: [] }] },
    ];
    const rows = withSuggestions([gap], report);
    expect(rows[0].suggestions.map(s => s.owner)).toEqual(['group:default/x']);
    expect(withSuggestions([gap], undefined)[0].suggestions).toEqual([]);
  });

  it('says so when the report has no activity for the team', async () => {
    const report = structuredClone(fixtures.report);
    report.teams = [];
    await renderForEntity(
      <GroupStewardContent />,
      entities.commerce,
      recordedApi({ getOwnershipGapReport: async () => report }),
    );
    expect(await screen.findByTestId('steward-week-unchanged')).toHaveTextContent(
      `${fixtures.teamGaps.count} still open`,
    );
  });

  it('says when the team has no gaps and no results', async () => {
    const api = recordedApi({
      getTeamScorecards: async () => ({
        ...fixtures.teamScorecards,
        scorecards: [],
        entities: [],
      }),
      getTeamGaps: async () => ({ ...fixtures.teamGaps, count: 0, by_type: {}, gaps: [] }),
    });
    await renderForEntity(<GroupStewardContent />, entities.commerce, api);
    expect(await screen.findByText('No open ownership gaps')).toBeInTheDocument();
    expect(screen.getByText('No scorecard results for this team')).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, pendingApi());
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it.each([
    ['unauthorized', /Steward refused the request \(401\)/],
    ['unavailable', /The Steward service is unreachable/],
    ['notFound', 'Steward does not know group:default/dept-commerce'],
  ] as const)('shows the %s state', async (kind, text) => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, failingApi(errors[kind]));
    expect(await screen.findByText(text)).toBeInTheDocument();
  });
});
