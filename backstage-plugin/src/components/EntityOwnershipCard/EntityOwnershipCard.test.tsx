import { screen, within } from '@testing-library/react';
import { EntityOwnershipCard } from './EntityOwnershipCard';
import {
  entities,
  errors,
  failingApi,
  fixtures,
  pendingApi,
  recordedApi,
  renderForEntity,
} from '../../__testUtils__/render';

describe('EntityOwnershipCard', () => {
  it('shows the owner, every claim with its evidence, gaps and who is on call', async () => {
    await renderForEntity(<EntityOwnershipCard />, entities.orders, recordedApi());
    const own = fixtures.entityOwnership;
    expect(await screen.findByText('Ownership (Steward)')).toBeInTheDocument();
    for (const claim of own.claims) {
      expect(screen.getAllByText(claim.evidence!).length).toBeGreaterThan(0);
    }
    for (const gap of own.gaps) {
      expect(screen.getByText(gap.gap.replace(/_/g, ' '))).toBeInTheDocument();
    }
    for (const person of own.oncall!.oncall_now!) {
      expect(screen.getByText(new RegExp(person))).toBeInTheDocument();
    }
  });

  it('highlights the claims that disagree with the resolved owner', async () => {
    await renderForEntity(<EntityOwnershipCard />, entities.orders, recordedApi());
    const own = fixtures.entityOwnership;
    const conflicting = await screen.findAllByTestId('steward-conflict');
    const expected = own.claims.filter(c =>
      own.conflicts.some(
        x =>
          x.source === c.source &&
          x.role === c.role &&
          x.claimed_owners.includes(c.owner!),
      ),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(conflicting).toHaveLength(expected.length);
    for (const [i, claim] of expected.entries()) {
      expect(within(conflicting[i]).getByText(claim.evidence!)).toBeInTheDocument();
      expect(within(conflicting[i]).getByText(/disagrees/)).toBeInTheDocument();
    }
    expect(screen.getAllByTestId('steward-claim')).toHaveLength(
      own.claims.length - expected.length,
    );
    expect(screen.getByTestId('steward-conflict-count')).toHaveTextContent(
      `${own.conflicts.length} source`,
    );
  });

  it('says when nobody owns the entity and nothing is on call', async () => {
    const api = recordedApi({
      getEntityOwnership: async () => ({
        ref: 'component:default/orders-service',
        owner: null,
        claims: [],
        conflicts: [],
        gaps: [],
        oncall: null,
      }),
    });
    await renderForEntity(<EntityOwnershipCard />, entities.orders, api);
    expect(await screen.findByText('No owner')).toBeInTheDocument();
    expect(screen.getByText('no PagerDuty service')).toBeInTheDocument();
    expect(screen.getByText('none')).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await renderForEntity(<EntityOwnershipCard />, entities.orders, pendingApi());
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it.each([
    ['unauthorized', /Steward refused the request \(401\)/],
    ['unavailable', /The Steward service is unreachable/],
    ['notFound', 'Steward does not know component:default/orders-service'],
  ] as const)('shows the %s state', async (kind, text) => {
    await renderForEntity(<EntityOwnershipCard />, entities.orders, failingApi(errors[kind]));
    expect(await screen.findByText(text)).toBeInTheDocument();
  });
});
