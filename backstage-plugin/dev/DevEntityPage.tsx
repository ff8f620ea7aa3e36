import Grid from '@material-ui/core/Grid';
import { useParams } from 'react-router-dom';
import { Content, Header, Page } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityBlastRadiusCard, EntityOwnershipCard } from '../src';
// The tabs' routable extensions must sit directly in an app's route tree (EntityLayout.Route);
// this stand-in page renders their components instead.
import { EntityStewardContent } from '../src/components/EntityStewardContent';
import { GroupStewardContent } from '../src/components/GroupStewardContent';

const KINDS: Record<string, string> = {
  api: 'API',
  component: 'Component',
  domain: 'Domain',
  group: 'Group',
  resource: 'Resource',
  system: 'System',
  user: 'User',
};

/** The entity the URL names; Steward needs only its ref. */
export function entityFromParams(params: {
  namespace?: string;
  kind?: string;
  name?: string;
}): Entity {
  const kind = (params.kind ?? 'component').toLocaleLowerCase('en-US');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: KINDS[kind] ?? kind,
    metadata: { name: params.name ?? '', namespace: params.namespace ?? 'default' },
  };
}

/**
 * A stand-in for the catalog's entity page: the plugin's cards and tab for any entity of the
 * running Steward service, at `/catalog/:namespace/:kind/:name` (so entity links resolve).
 */
export function DevEntityPage() {
  const entity = entityFromParams(useParams());
  const isGroup = entity.kind === 'Group';
  return (
    <EntityProvider entity={entity}>
      <Page themeId={isGroup ? 'home' : 'service'}>
        <Header
          title={entity.metadata.name}
          subtitle={`${entity.kind} · ${entity.metadata.namespace} · Steward tab`}
        />
        <Content>
          {isGroup ? (
            <div data-testid="steward-tab">
              <GroupStewardContent />
            </div>
          ) : (
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <EntityOwnershipCard />
              </Grid>
              <Grid item xs={12} md={6}>
                <EntityBlastRadiusCard />
              </Grid>
              <Grid item xs={12} data-testid="steward-tab">
                <EntityStewardContent />
              </Grid>
            </Grid>
          )}
        </Content>
      </Page>
    </EntityProvider>
  );
}
