import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp as renderInNewTestApp,
} from '@backstage/frontend-test-utils';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { stewardExtensions } from './alpha';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { Route, Routes } from 'react-router-dom';
import { UnifiedThemeProvider, themes } from '@backstage/theme';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import defaultExport, {
  EntityBlastRadiusCard,
  EntityOwnershipCard,
  EntityStewardContent,
  GroupStewardContent,
  stewardApiRef,
  stewardFrontendPlugin,
  stewardPlugin,
} from './index';
import { entities, recordedApi } from './__testUtils__/render';

describe('legacy frontend system', () => {
  it('exports the plugin with its API factory and route refs', () => {
    expect(stewardPlugin.getId()).toBe('steward');
    const apiIds = [...stewardPlugin.getApis()].map(f => f.api.id);
    expect(apiIds).toEqual([stewardApiRef.id]);
    expect(Object.keys(stewardPlugin.routes)).toEqual(['entityContent', 'groupContent']);
  });

  it('renders the lazy extensions on an entity page', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[stewardApiRef, recordedApi()]]}>
        <EntityProvider entity={entities.payments}>
          <Routes>
            <Route
              path="/*"
              element={
                <>
                  <EntityStewardContent />
                  <EntityOwnershipCard />
                  <EntityBlastRadiusCard />
                </>
              }
            />
          </Routes>
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByText('Production readiness')).toBeInTheDocument();
    expect(await screen.findByText('Ownership (Steward)')).toBeInTheDocument();
    expect(await screen.findByText('Blast radius (Steward)')).toBeInTheDocument();
  });

  it('renders the group tab', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[stewardApiRef, recordedApi()]]}>
        <EntityProvider entity={entities.commerce}>
          <Routes>
            <Route path="/*" element={<GroupStewardContent />} />
          </Routes>
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByText('Week over week')).toBeInTheDocument();
  });

  it.each([
    ['light', themes.light],
    ['dark', themes.dark],
  ] as const)('follows the %s palette', async (_name, theme) => {
    await renderInTestApp(
      <UnifiedThemeProvider theme={theme}>
        <TestApiProvider apis={[[stewardApiRef, recordedApi()]]}>
          <EntityProvider entity={entities.orders}>
            <EntityOwnershipCard />
            <EntityBlastRadiusCard />
          </EntityProvider>
        </TestApiProvider>
      </UnifiedThemeProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    const conflict = (await screen.findAllByTestId('steward-conflict'))[0];
    const palette = theme.getTheme('v4')!.palette;
    expect(getComputedStyle(conflict).borderLeft).toBe(
      `4px solid ${hexToRgb(palette.warning.main)}`,
    );
    const teamRow = (await screen.findAllByTestId('steward-team'))[0];
    expect(getComputedStyle(teamRow).backgroundColor).toBe(
      hexToRgb(palette.background.default),
    );
  });
});

it('has different backgrounds in the light and dark themes (so the test above tells them apart)', () => {
  expect(themes.light.getTheme('v4')!.palette.background.default).not.toBe(
    themes.dark.getTheme('v4')!.palette.background.default,
  );
});

function hexToRgb(hex: string): string {
  const n = parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe('new frontend system', () => {
  it('is the default export, with id steward', () => {
    expect(defaultExport).toBe(stewardFrontendPlugin);
    expect(stewardFrontendPlugin.pluginId).toBe('steward');
    expect(stewardFrontendPlugin.$$type).toBe('@backstage/FrontendPlugin');
  });

  it('provides the API, the entity and group tabs and both cards', () => {
    const ids = Object.values(stewardExtensions).map(e => String(e));
    expect(ids).toEqual([
      'ExtensionDefinition{kind=api,attachTo=root@apis}',
      'ExtensionDefinition{kind=entity-content,attachTo=page:catalog/entity@contents}',
      'ExtensionDefinition{kind=entity-content,name=group,attachTo=page:catalog/entity@contents}',
      'ExtensionDefinition{kind=entity-card,name=ownership,attachTo=entity-content:catalog/overview@cards}',
      'ExtensionDefinition{kind=entity-card,name=blast-radius,attachTo=entity-content:catalog/overview@cards}',
    ]);
  });

  it('renders its entity content extension with the Steward tab path and title', async () => {
    const tester = createExtensionTester(stewardExtensions.entityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Steward');
    expect(tester.get(coreExtensionData.routePath)).toBe('steward');
    await renderInNewTestApp(
      <EntityProvider entity={entities.payments}>{tester.reactElement()}</EntityProvider>,
      { apis: [[stewardApiRef, recordedApi()]] },
    );
    expect(await screen.findByText('Ownership hygiene')).toBeInTheDocument();
  });
});
