import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { StewardApi } from './StewardApi';
import { errorKindOf, StewardError } from './StewardError';
import {
  BlastRadius,
  EntityOwnership,
  EntityScorecards,
  OwnershipGapReport,
  TeamGaps,
  TeamScorecards,
} from './types';

/** The app-config proxy path that targets the Steward service root. */
export const STEWARD_PROXY_PATH = '/steward';

/**
 * Talks to Steward through the Backstage proxy: `<proxy base>/steward/api/v1/…`.
 * The proxy adds the `Authorization` header; `fetchApi` adds the user's Backstage token.
 */
export class StewardClient implements StewardApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getEntityScorecards(entity: CompoundEntityRef): Promise<EntityScorecards> {
    return this.get(`${entityPath(entity)}/scorecards`);
  }

  getEntityOwnership(entity: CompoundEntityRef): Promise<EntityOwnership> {
    return this.get(`${entityPath(entity)}/ownership`);
  }

  getBlastRadius(
    entity: CompoundEntityRef,
    options?: { depth?: number },
  ): Promise<BlastRadius> {
    const query =
      options?.depth !== undefined ? `?depth=${options.depth}` : '';
    return this.get(`${entityPath(entity)}/blast-radius${query}`);
  }

  getTeamScorecards(team: CompoundEntityRef): Promise<TeamScorecards> {
    return this.get(`${teamPath(team)}/scorecards`);
  }

  getTeamGaps(team: CompoundEntityRef): Promise<TeamGaps> {
    return this.get(`${teamPath(team)}/gaps`);
  }

  getOwnershipGapReport(): Promise<OwnershipGapReport> {
    return this.get('/reports/ownership-gaps?format=json');
  }

  private async get<T>(path: string): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('proxy');
    const url = `${base}${STEWARD_PROXY_PATH}/api/v1${path}`;
    let response: Response;
    try {
      response = await this.fetchApi.fetch(url, {
        headers: { Accept: 'application/json' },
      });
    } catch (e) {
      throw new StewardError(
        `Steward could not be reached through the proxy (${String(e)})`,
        { kind: 'unavailable' },
      );
    }
    if (!response.ok) {
      throw await errorFrom(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  const parts = [entity.kind, entity.namespace, entity.name].map(p =>
    encodeURIComponent(p.toLocaleLowerCase('en-US')),
  );
  return `/entities/${parts.join('/')}`;
}

function teamPath(team: CompoundEntityRef): string {
  const parts = [team.namespace, team.name].map(p =>
    encodeURIComponent(p.toLocaleLowerCase('en-US')),
  );
  return `/teams/${parts.join('/')}`;
}

/** A StewardError from a failed response; reads an `application/problem+json` body if there is one. */
export async function errorFrom(response: Response): Promise<StewardError> {
  let detail: string | undefined;
  let suggestions: string[] = [];
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text);
      detail = body?.detail ?? body?.title ?? body?.error?.message;
      if (detail !== undefined && typeof detail !== 'string') {
        detail = JSON.stringify(detail);
      }
      if (Array.isArray(body?.suggestions)) {
        suggestions = body.suggestions.filter(
          (s: unknown): s is string => typeof s === 'string',
        );
      }
    } catch {
      detail = text.trim() ? text.trim().slice(0, 300) : undefined;
    }
  } catch {
    detail = undefined;
  }
  const status = response.status;
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  return new StewardError(
    `Steward answered ${status}${statusText}${detail ? `: ${detail}` : ''}`,
    { kind: errorKindOf(status), status, detail, suggestions },
  );
}
