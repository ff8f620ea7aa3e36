import type { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  BlastRadius,
  EntityOwnership,
  EntityScorecards,
  StewardApi,
  stewardApiRef,
  StewardError,
  TeamGaps,
  TeamScorecards,
} from '../api';
import entityScorecardsJson from '../__fixtures__/entity-scorecards.json';
import entityOwnershipJson from '../__fixtures__/entity-ownership.json';
import blastRadiusJson from '../__fixtures__/blast-radius.json';
import teamScorecardsJson from '../__fixtures__/team-scorecards.json';
import teamGapsJson from '../__fixtures__/team-gaps.json';

// Recorded from the real service (tests/plugin_contract regenerates them).
const entityScorecards = entityScorecardsJson as unknown as EntityScorecards;
const entityOwnership = entityOwnershipJson as unknown as EntityOwnership;
const blastRadius = blastRadiusJson as unknown as BlastRadius;
const teamScorecards = teamScorecardsJson as unknown as TeamScorecards;
const teamGaps = teamGapsJson as unknown as TeamGaps;

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
};

/** A StewardApi that answers every call with the recorded responses. */
export function recordedApi(overrides: Partial<StewardApi> = {}): StewardApi {
  return {
    getEntityScorecards: jest.fn(async () => structuredClone(entityScorecards)),
    getEntityOwnership: jest.fn(async () => structuredClone(entityOwnership)),
    getBlastRadius: jest.fn(async () => structuredClone(blastRadius)),
    getTeamScorecards: jest.fn(async () => structuredClone(teamScorecards)),
    getTeamGaps: jest.fn(async () => structuredClone(teamGaps)),
    ...overrides,
  };
}

/** A StewardApi whose every call fails with `error`. */
export function failingApi(error: Error): StewardApi {
  const fail = jest.fn(async () => {
    throw error;
  });
  return {
    getEntityScorecards: fail,
    getEntityOwnership: fail,
    getBlastRadius: fail,
    getTeamScorecards: fail,
    getTeamGaps: fail,
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
  };
}

/** The errors the plugin tells apart, as the client makes them. */
export const errors = {
  unauthorized: new StewardError('Steward answered 401 Unauthorized', {
    kind: 'unauthorized',
    status: 401,
  }),
  notFound: new StewardError('Steward answered 404: unknown entity', {
    kind: 'not-found',
    status: 404,
    detail: 'no entity component:default/payments-api',
  }),
  unavailable: new StewardError('Steward answered 504 Gateway Timeout', {
    kind: 'unavailable',
    status: 504,
  }),
  other: new StewardError('Steward answered 500 Internal Server Error', {
    kind: 'other',
    status: 500,
  }),
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
