import { screen, within } from '@testing-library/react';
import { EntityBlastRadiusCard, groupByTeam } from './EntityBlastRadiusCard';
import {
  entities,
  errors,
  failingApi,
  fixtures,
  pendingApi,
  recordedApi,
  renderForEntity,
} from '../../__testUtils__/render';

describe('EntityBlastRadiusCard', () => {
  it('lists every impacted entity, linked to its entity page, grouped by team', async () => {
    await renderForEntity(<EntityBlastRadiusCard />, entities.payments, recordedApi());
    const impacted = fixtures.blastRadius.impacted;
    const rows = await screen.findAllByTestId('steward-impacted');
    expect(rows).toHaveLength(impacted.length);
    const expectedOrder = groupByTeam(impacted).flatMap(([, items]) => items.map(i => i.ref));
    rows.forEach((row, i) => {
      const [kindPart, rest] = expectedOrder[i].split(':');
      const name = rest.split('/')[1];
      const link = within(row).getAllByRole('link')[0];
      expect(link).toHaveAttribute('href', `/catalog/default/${kindPart}/${name}`);
    });
    expect(
      screen.getByText(new RegExp(`${impacted.length} impacted entities across`)),
    ).toBeInTheDocument();
  });

  it('groups by the first owner, biggest group first, shallow entities first', () => {
    const groups = groupByTeam([
      { ref: 'component:default/b', depth: 2, path: [], owners: ['group:default/t1'], oncall: null, level: null },
      { ref: 'component:default/a', depth: 1, path: [], owners: ['group:default/t2'], oncall: null, level: null },
      { ref: 'component:default/c', depth: 1, path: [], owners: ['group:default/t1'], oncall: null, level: null },
      { ref: 'component:default/d', depth: 1, path: [], owners: [], oncall: null, level: null },
    ]);
    expect(groups.map(([team, items]) => [team, items.map(i => i.ref)])).toEqual([
      ['group:default/t1', ['component:default/c', 'component:default/b']],
      ['(no owner)', ['component:default/d']],
      ['group:default/t2', ['component:default/a']],
    ]);
  });

  it('asks for the depth it is given', async () => {
    const api = recordedApi();
    await renderForEntity(<EntityBlastRadiusCard depth={1} />, entities.payments, api);
    await screen.findAllByTestId('steward-impacted');
    expect(api.getBlastRadius).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      { depth: 1 },
    );
  });

  it('says when nothing depends on the entity', async () => {
    const api = recordedApi({
      getBlastRadius: async () => ({ ref: 'component:default/payments-api', impacted: [], summary: {} }),
    });
    await renderForEntity(<EntityBlastRadiusCard />, entities.payments, api);
    expect(await screen.findByText('Nothing depends on this entity')).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await renderForEntity(<EntityBlastRadiusCard />, entities.payments, pendingApi());
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it.each([
    ['unauthorized', /Steward refused the request \(401\)/],
    ['unavailable', /The Steward service is unreachable/],
    ['notFound', 'Steward does not know component:default/payments-api'],
  ] as const)('shows the %s state', async (kind, text) => {
    await renderForEntity(<EntityBlastRadiusCard />, entities.payments, failingApi(errors[kind]));
    expect(await screen.findByText(text)).toBeInTheDocument();
  });
});
