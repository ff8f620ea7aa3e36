import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  FrontendPlugin,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import { StewardClient, stewardApiRef } from './api';

const stewardApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: stewardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StewardClient({ discoveryApi, fetchApi }),
    }),
});

const kindOf = (entity: Entity) => entity.kind.toLocaleLowerCase('en-US');
const isGroup = (entity: Entity) => kindOf(entity) === 'group';
/** Scorecards, ownership and blast radius are about what teams own, not about teams and people. */
const isNotGroupOrUser = (entity: Entity) =>
  !['group', 'user'].includes(kindOf(entity));

const entityContent = EntityContentBlueprint.make({
  params: {
    path: 'steward',
    title: 'Steward',
    filter: isNotGroupOrUser,
    loader: () =>
      import('./components/EntityStewardContent').then(m => (
        <m.EntityStewardContent />
      )),
  },
});

const groupContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: 'steward',
    title: 'Steward',
    filter: isGroup,
    loader: () =>
      import('./components/GroupStewardContent').then(m => (
        <m.GroupStewardContent />
      )),
  },
});

const ownershipCard = EntityCardBlueprint.make({
  name: 'ownership',
  params: {
    filter: isNotGroupOrUser,
    loader: () =>
      import('./components/EntityOwnershipCard').then(m => (
        <m.EntityOwnershipCard />
      )),
  },
});

const blastRadiusCard = EntityCardBlueprint.make({
  name: 'blast-radius',
  params: {
    filter: isNotGroupOrUser,
    loader: () =>
      import('./components/EntityBlastRadiusCard').then(m => (
        <m.EntityBlastRadiusCard />
      )),
  },
});

/**
 * The Steward plugin for apps on the new frontend system; the package's default export, so
 * `app.packages: all` discovers it.
 */
export const stewardFrontendPlugin: FrontendPlugin = createFrontendPlugin({
  pluginId: 'steward',
  title: 'Steward',
  extensions: [stewardApi, entityContent, groupContent, ownershipCard, blastRadiusCard],
});

/** The plugin's extensions, for tests (not re-exported by the package). */
export const stewardExtensions = {
  stewardApi,
  entityContent,
  groupContent,
  ownershipCard,
  blastRadiusCard,
};
