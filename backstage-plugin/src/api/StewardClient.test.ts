import { StewardClient } from './StewardClient';
import { StewardError } from './StewardError';
import scorecards from '../__fixtures__/entity-scorecards.json';
import notFound from '../__fixtures__/not-found.json';
import unauthorized from '../__fixtures__/unauthorized.json';

const PROXY = 'http://localhost:7007/api/proxy';

function clientAnswering(answer: (url: string) => Response | Promise<Response>) {
  const calls: string[] = [];
  const client = new StewardClient({
    discoveryApi: { getBaseUrl: async (id: string) => (id === 'proxy' ? PROXY : 'wrong') },
    fetchApi: {
      fetch: async (input: any) => {
        calls.push(String(input));
        return answer(String(input));
      },
    },
  });
  return { client, calls };
}

const ref = { kind: 'Component', namespace: 'default', name: 'payments-api' };
const team = { kind: 'Group', namespace: 'default', name: 'Team-Payments' };

function problem(status: number, detail: string) {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'x', status, detail }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

describe('StewardClient', () => {
  it('calls <proxy>/steward/api/v1 routes with lower-case refs', async () => {
    const { client, calls } = clientAnswering(() => Response.json({}));
    await client.getEntityScorecards(ref);
    await client.getEntityOwnership(ref);
    await client.getBlastRadius(ref, { depth: 2 });
    await client.getBlastRadius(ref);
    await client.getTeamScorecards(team);
    await client.getTeamGaps(team);
    await client.getOwnershipGapReport();
    expect(calls).toEqual([
      `${PROXY}/steward/api/v1/entities/component/default/payments-api/scorecards`,
      `${PROXY}/steward/api/v1/entities/component/default/payments-api/ownership`,
      `${PROXY}/steward/api/v1/entities/component/default/payments-api/blast-radius?depth=2`,
      `${PROXY}/steward/api/v1/entities/component/default/payments-api/blast-radius`,
      `${PROXY}/steward/api/v1/teams/default/team-payments/scorecards`,
      `${PROXY}/steward/api/v1/teams/default/team-payments/gaps`,
      `${PROXY}/steward/api/v1/reports/ownership-gaps?format=json`,
    ]);
  });

  it('returns the JSON body of a 200', async () => {
    const { client } = clientAnswering(() => Response.json(scorecards));
    await expect(client.getEntityScorecards(ref)).resolves.toEqual(scorecards);
  });

  it('encodes names that are not URL-safe', async () => {
    const { client, calls } = clientAnswering(() => Response.json({}));
    await client.getEntityScorecards({ kind: 'API', namespace: 'ns', name: 'a b#c' });
    expect(calls[0]).toBe(`${PROXY}/steward/api/v1/entities/api/ns/a%20b%23c/scorecards`);
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not-found'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [400, 'other'],
    [500, 'other'],
  ])('sorts a %s into %s and keeps the problem detail', async (status, kind) => {
    const { client } = clientAnswering(() => problem(status, `detail ${status}`));
    const error: StewardError = await client.getEntityScorecards(ref).then(
      () => {
        throw new Error('no error');
      },
      e => e,
    );
    expect(error).toBeInstanceOf(StewardError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.detail).toBe(`detail ${status}`);
    expect(error.message).toContain(String(status));
  });

  it('keeps a plain-text error body (the proxy answers text when the target is down)', async () => {
    const { client } = clientAnswering(
      () => new Response('connect ECONNREFUSED 127.0.0.1:7008', { status: 504 }),
    );
    await expect(client.getTeamGaps(team)).rejects.toMatchObject({
      kind: 'unavailable',
      detail: 'connect ECONNREFUSED 127.0.0.1:7008',
    });
  });

  it('keeps the close names of a recorded 404', async () => {
    const { client } = clientAnswering(() => new Response(JSON.stringify(notFound), {
      status: 404,
      headers: { 'Content-Type': 'application/problem+json' },
    }));
    await expect(client.getEntityScorecards(ref)).rejects.toMatchObject({
      kind: 'not-found',
      detail: notFound.detail,
      suggestions: notFound.suggestions,
    });
  });

  it('sorts the recorded 401 into unauthorized', async () => {
    const { client } = clientAnswering(() => new Response(JSON.stringify(unauthorized), {
      status: 401,
      headers: { 'Content-Type': 'application/problem+json' },
    }));
    await expect(client.getEntityScorecards(ref)).rejects.toMatchObject({
      kind: 'unauthorized',
      status: 401,
    });
  });

  it('reports a network failure as unavailable', async () => {
    const { client } = clientAnswering(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.getEntityOwnership(ref)).rejects.toMatchObject({
      kind: 'unavailable',
      status: undefined,
    });
  });
});
