import { createRouteRef } from '@backstage/core-plugin-api';

/** The entity page's Steward tab. */
export const entityContentRouteRef = createRouteRef({
  id: 'steward:entity-content',
});

/** The group page's Steward tab. */
export const groupContentRouteRef = createRouteRef({
  id: 'steward:group-content',
});
