import { screen, within } from '@testing-library/react';
import { GroupStewardContent } from './GroupStewardContent';
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
      const row = (await screen.findByText(rollup.title)).closest('tr')!;
      expect(within(row).getByText(String(rollup.entities))).toBeInTheDocument();
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
      for (const suggestion of gap.suggestions) {
        expect(within(row).getByText(suggestion.evidence)).toBeInTheDocument();
      }
    });
  });

  it('shows the week-over-week change', async () => {
    await renderForEntity(<GroupStewardContent />, entities.commerce, recordedApi());
    const week = fixtures.teamGaps.week!;
    expect(await screen.findByText('Week over week')).toBeInTheDocument();
    const change = week.open - week.open_last_week;
    expect(screen.getByText(`${change > 0 ? '+' : ''}${change}`)).toBeInTheDocument();
    expect(screen.getByText('new this week').previousSibling).toHaveTextContent(String(week.new));
    expect(screen.getByText('resolved this week').previousSibling).toHaveTextContent(
      String(week.resolved),
    );
  });

  it('says when the team has no gaps and no results', async () => {
    const api = recordedApi({
      getTeamScorecards: async () => ({ team: 'group:default/dept-commerce', scorecards: [] }),
      getTeamGaps: async () => ({ team: 'group:default/dept-commerce', gaps: [], week: null }),
    });
    await renderForEntity(<GroupStewardContent />, entities.commerce, api);
    expect(await screen.findByText('No open ownership gaps')).toBeInTheDocument();
    expect(screen.getByText('No scorecard results for this team')).toBeInTheDocument();
    expect(screen.getByText('no history for last week yet')).toBeInTheDocument();
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
