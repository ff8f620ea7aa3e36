import type { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  BlastRadius,
  EntityOwnership,
  EntityScorecards,
  OwnershipGapReport,
  StewardApi,
  stewardApiRef,
  TeamGaps,
  TeamScorecards,
} from '../api';
import entityScorecardsJson from '../__fixtures__/entity-scorecards.json';
import entityOwnershipJson from '../__fixtures__/entity-ownership.json';
import blastRadiusJson from '../__fixtures__/blast-radius.json';
import teamScorecardsJson from '../__fixtures__/team-scorecards.json';
import teamGapsJson from '../__fixtures__/team-gaps.json';
import reportJson from '../__fixtures__/ownership-gap-report.json';
import notFoundJson from '../__fixtures__/not-found.json';
import unauthorizedJson from '../__fixtures__/unauthorized.json';
import { errorFrom } from '../api/StewardClient';

// Recorded from the real service (tests/plugin_contract regenerates them).
const entityScorecards = entityScorecardsJson as unknown as EntityScorecards;
const entityOwnership = entityOwnershipJson as unknown as EntityOwnership;
const blastRadius = blastRadiusJson as unknown as BlastRadius;
const teamScorecards = teamScorecardsJson as unknown as TeamScorecards;
const teamGaps = teamGapsJson as unknown as TeamGaps;
const report = reportJson as unknown as OwnershipGapReport;

/** Entities of the example organisation that the recorded responses describe. */
export const entities: Record<string, Entity> = {
  payments: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
  },
  orders: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders-service', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-checkout' },
  },
  commerce: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'dept-commerce', namespace: 'default' },
    spec: { type: 'department', children: [] },
  },
};

/** The recorded responses as the API returns them. */
export const fixtures = {
  entityScorecards,
  entityOwnership,
  blastRadius,
  teamScorecards,
  teamGaps,
  report,
  notFound: notFoundJson,
  unauthorized: unauthorizedJson,
};

/** A StewardApi that answers every call with the recorded responses. */
export function recordedApi(overrides: Partial<StewardApi> = {}): StewardApi {
  return {
    getEntityScorecards: jest.fn(async () => structuredClone(entityScorecards)),
    getEntityOwnership: jest.fn(async () => structuredClone(entityOwnership)),
    getBlastRadius: jest.fn(async () => structuredClone(blastRadius)),
    getTeamScorecards: jest.fn(async () => structuredClone(teamScorecards)),
    getTeamGaps: jest.fn(async () => structuredClone(teamGaps)),
    getOwnershipGapReport: jest.fn(async () => structuredClone(report)),
    ...overrides,
  };
}

/** A StewardApi whose every call fails with the error `make` makes. */
export function failingApi(make: () => Promise<Error>): StewardApi {
  const fail = jest.fn(async () => {
    throw await make();
  });
  return {
    getEntityScorecards: fail,
    getEntityOwnership: fail,
    getBlastRadius: fail,
    getTeamScorecards: fail,
    getTeamGaps: fail,
    getOwnershipGapReport: fail,
  };
}

/** A StewardApi that never answers (the loading state). */
export function pendingApi(): StewardApi {
  const never = jest.fn(() => new Promise<never>(() => {}));
  return {
    getEntityScorecards: never,
    getEntityOwnership: never,
    getBlastRadius: never,
    getTeamScorecards: never,
    getTeamGaps: never,
    getOwnershipGapReport: never,
  };
}

function problem(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

/** The errors the plugin tells apart, made by the client from recorded responses. */
export const errors = {
  unauthorized: () => errorFrom(problem(401, unauthorizedJson)),
  notFound: () => errorFrom(problem(404, notFoundJson)),
  // what the Backstage proxy answers when its target is down
  unavailable: () =>
    errorFrom(
      new Response('Error occurred while trying to proxy: 127.0.0.1:7008', {
        status: 504,
        statusText: 'Gateway Timeout',
      }),
    ),
  other: () =>
    errorFrom(problem(500, { title: 'Internal Server Error', status: 500 })),
};

/** Renders `element` on the page of `entity` in a test app with `api` as the Steward API. */
export function renderForEntity(
  element: ReactElement,
  entity: Entity,
  api: StewardApi,
) {
  return renderInTestApp(
    <TestApiProvider apis={[[stewardApiRef, api]]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}
