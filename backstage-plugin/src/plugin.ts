import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { StewardClient, stewardApiRef } from './api';
import { entityContentRouteRef, groupContentRouteRef } from './routes';

/** The Steward plugin for apps on the legacy frontend system. */
export const stewardPlugin = createPlugin({
  id: 'steward',
  apis: [
    createApiFactory({
      api: stewardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StewardClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    entityContent: entityContentRouteRef,
    groupContent: groupContentRouteRef,
  },
});

/** The entity tab: levels, scores, checks with evidence and trends. Route path `steward`. */
export const EntityStewardContent = stewardPlugin.provide(
  createRoutableExtension({
    name: 'EntityStewardContent',
    component: () =>
      import('./components/EntityStewardContent').then(
        m => m.EntityStewardContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/** The Group page tab: the team's roll-up, open gaps with suggested owners, week-over-week. */
export const GroupStewardContent = stewardPlugin.provide(
  createRoutableExtension({
    name: 'GroupStewardContent',
    component: () =>
      import('./components/GroupStewardContent').then(
        m => m.GroupStewardContent,
      ),
    mountPoint: groupContentRouteRef,
  }),
);

/** A card: the owner by every source, conflicts, open gaps and who is on call. */
export const EntityOwnershipCard = stewardPlugin.provide(
  createComponentExtension({
    name: 'EntityOwnershipCard',
    component: {
      lazy: () =>
        import('./components/EntityOwnershipCard').then(
          m => m.EntityOwnershipCard,
        ),
    },
  }),
);

/** A card: who is impacted if this entity fails, grouped by team, linking to their pages. */
export const EntityBlastRadiusCard = stewardPlugin.provide(
  createComponentExtension({
    name: 'EntityBlastRadiusCard',
    component: {
      lazy: () =>
        import('./components/EntityBlastRadiusCard').then(
          m => m.EntityBlastRadiusCard,
        ),
    },
  }),
);
