import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  BlastRadius,
  EntityOwnership,
  EntityScorecards,
  OwnershipGapReport,
  TeamGaps,
  TeamScorecards,
} from './types';

/** What the plugin asks the Steward service. */
export interface StewardApi {
  getEntityScorecards(entity: CompoundEntityRef): Promise<EntityScorecards>;
  getEntityOwnership(entity: CompoundEntityRef): Promise<EntityOwnership>;
  getBlastRadius(
    entity: CompoundEntityRef,
    options?: { depth?: number },
  ): Promise<BlastRadius>;
  getTeamScorecards(team: CompoundEntityRef): Promise<TeamScorecards>;
  getTeamGaps(team: CompoundEntityRef): Promise<TeamGaps>;
  /** The weekly ownership-gap report of the current week (JSON). */
  getOwnershipGapReport(): Promise<OwnershipGapReport>;
}

/** The API ref apps and tests use to provide a {@link StewardApi}. */
export const stewardApiRef = createApiRef<StewardApi>({
  id: 'plugin.steward.service',
});
