import Grid from '@material-ui/core/Grid';
import { EmptyState, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { StewardErrorPanel, useStewardCall } from '../common';
import { ScorecardCard } from './ScorecardCard';

/** The entity tab: every scorecard that applies to the entity. */
export function EntityStewardContent() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const { value, loading, error } = useStewardCall(
    api => api.getEntityScorecards(getCompoundEntityRef(entity)),
    [ref],
  );
  if (loading) return <Progress />;
  if (error) return <StewardErrorPanel error={error} subject={ref} />;
  if (!value || value.scorecards.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No scorecard applies to this entity"
        description={`Steward knows ${ref}, but none of its scorecards select it (a scorecard's filter picks kinds, types or lifecycles).`}
      />
    );
  }
  return (
    <Grid container spacing={3}>
      {value.scorecards.map(scorecard => (
        <Grid item xs={12} key={scorecard.id}>
          <ScorecardCard scorecard={scorecard} />
        </Grid>
      ))}
    </Grid>
  );
}
