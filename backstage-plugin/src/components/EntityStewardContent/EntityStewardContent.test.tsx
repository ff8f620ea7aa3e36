import { screen, within } from '@testing-library/react';
import { EntityStewardContent } from './EntityStewardContent';
import {
  entities,
  errors,
  failingApi,
  fixtures,
  pendingApi,
  recordedApi,
  renderForEntity,
} from '../../__testUtils__/render';

describe('EntityStewardContent', () => {
  it('shows each scorecard with its level, ladder, score trend and checks', async () => {
    const api = recordedApi();
    await renderForEntity(<EntityStewardContent />, entities.payments, api);
    for (const scorecard of fixtures.entityScorecards.scorecards) {
      expect(await screen.findByText(scorecard.title)).toBeInTheDocument();
      for (const check of scorecard.checks) {
        expect(screen.getAllByText(check.title).length).toBeGreaterThan(0);
      }
      const evidence = scorecard.checks.flatMap(c => (c.evidence ? [c.evidence] : []));
      for (const text of evidence) {
        expect(screen.getAllByText(text).length).toBeGreaterThan(0);
      }
    }
    const levels = screen.getAllByTestId('steward-level').map(e => e.textContent);
    expect(levels).toEqual(fixtures.entityScorecards.scorecards.map(s => s.level ?? 'no level'));
    expect(api.getEntityScorecards).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });
    expect(screen.getAllByText(/Trend \(\d+ runs?\)/).length).toBe(
      fixtures.entityScorecards.scorecards.length,
    );
  });

  it('puts failing checks first, with their state and evidence', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, recordedApi());
    const failing = fixtures.entityScorecards.scorecards
      .flatMap(s => s.checks)
      .filter(c => c.state === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    const row = (await screen.findByText(failing[0].evidence!)).closest('tr')!;
    expect(within(row).getByText('fail')).toBeInTheDocument();
    const table = row.closest('tbody')!;
    expect(within(table).getAllByRole('row')[0]).toBe(row);
  });

  it('draws a trend once there are several runs', async () => {
    const scorecards = structuredClone(fixtures.entityScorecards);
    const [first] = scorecards.scorecards[0].history;
    scorecards.scorecards[0].history = [
      { ...first, run_id: 1, score: 50 },
      { ...first, run_id: 2, score: 75 },
      { ...first, run_id: 3, score: 100 },
    ];
    const api = recordedApi({ getEntityScorecards: async () => scorecards });
    await renderForEntity(<EntityStewardContent />, entities.payments, api);
    expect(await screen.findByText('Trend (3 runs)')).toBeInTheDocument();
    expect(document.querySelectorAll('svg polyline').length).toBeGreaterThan(0);
  });

  it('shows an exempt check with the reason and expiry', async () => {
    const scorecards = structuredClone(fixtures.entityScorecards);
    scorecards.scorecards[0].checks[0] = {
      ...scorecards.scorecards[0].checks[0],
      state: 'exempt',
      exemption: { reason: 'migrating to the new IdP', expires: '2027-01-31' },
    };
    const api = recordedApi({ getEntityScorecards: async () => scorecards });
    await renderForEntity(<EntityStewardContent />, entities.payments, api);
    expect(await screen.findByText('migrating to the new IdP (until 2027-01-31)')).toBeInTheDocument();
    expect(screen.getByText('exempt')).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, pendingApi());
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('says so when no scorecard applies', async () => {
    const api = recordedApi({
      getEntityScorecards: async () => ({ ref: 'component:default/payments-api', scorecards: [] }),
    });
    await renderForEntity(<EntityStewardContent />, entities.payments, api);
    expect(await screen.findByText('No scorecard applies to this entity')).toBeInTheDocument();
  });

  it('tells a 401 from the proxy apart', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, failingApi(errors.unauthorized));
    expect(await screen.findByText(/Steward refused the request \(401\)/)).toBeInTheDocument();
  });

  it('tells a service that is down apart', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, failingApi(errors.unavailable));
    expect(await screen.findByText(/The Steward service is unreachable/)).toBeInTheDocument();
  });

  it('tells an entity Steward does not know apart', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, failingApi(errors.notFound));
    expect(
      await screen.findByText('Steward does not know component:default/payments-api'),
    ).toBeInTheDocument();
    // the service's problem detail and its close names, from the recorded 404
    expect(screen.getByText(new RegExp(fixtures.notFound.detail))).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(`Close names it knows: ${fixtures.notFound.suggestions[0]}`)),
    ).toBeInTheDocument();
  });

  it('shows any other error with the response error panel', async () => {
    await renderForEntity(<EntityStewardContent />, entities.payments, failingApi(errors.other));
    expect((await screen.findAllByText(/Steward answered 500/)).length).toBeGreaterThan(0);
  });
});
