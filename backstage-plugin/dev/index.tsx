import { Navigate } from 'react-router-dom';
import {
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { SidebarItem } from '@backstage/core-components';
import { createDevApp } from '@backstage/dev-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import CategoryIcon from '@material-ui/icons/Category';
import GroupIcon from '@material-ui/icons/Group';
import { stewardPlugin } from '../src';

// Binds the catalog's entity route (what EntityRefLink resolves) to the stand-in entity page.
const devCatalogPlugin = createPlugin({
  id: 'catalog',
  routes: { entity: entityRouteRef },
});

const EntityPage = devCatalogPlugin.provide(
  createRoutableExtension({
    name: 'DevEntityPage',
    component: () => import('./DevEntityPage').then(m => m.DevEntityPage),
    mountPoint: entityRouteRef,
  }),
);

createDevApp()
  .registerPlugin(stewardPlugin)
  .registerPlugin(devCatalogPlugin)
  .addPage({
    path: '/catalog/:namespace/:kind/:name',
    element: <EntityPage />,
  })
  .addPage({
    path: '/',
    element: <Navigate to="/catalog/default/component/payments-api" />,
  })
  .addSidebarItem(
    <SidebarItem
      icon={CategoryIcon}
      to="/catalog/default/component/payments-api"
      text="payments-api"
    />,
  )
  .addSidebarItem(
    <SidebarItem
      icon={GroupIcon}
      to="/catalog/default/group/team-checkout"
      text="team-checkout"
    />,
  )
  .render();
