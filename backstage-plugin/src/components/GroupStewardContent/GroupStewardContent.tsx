import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EmptyState,
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { TeamGap, TeamGaps, TeamScorecardRollup } from '../../api';
import { shortDate, StewardErrorPanel, useStewardCall } from '../common';

const useStyles = makeStyles(theme => ({
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  figure: { fontSize: '2rem', fontWeight: 600 },
  worse: { color: theme.palette.error.main },
  better: { color: theme.palette.success.main },
}));

function RollupTable(props: { rollups: TeamScorecardRollup[] }) {
  const classes = useStyles();
  const columns: TableColumn<TeamScorecardRollup>[] = [
    { title: 'Scorecard', field: 'title' },
    { title: 'Entities', field: 'entities', type: 'numeric' },
    {
      title: 'Average score',
      field: 'average_score',
      type: 'numeric',
      render: r => (r.average_score === null ? '—' : r.average_score.toFixed(1)),
    },
    {
      title: 'Levels',
      field: 'levels',
      render: r => (
        <Box className={classes.chips}>
          {Object.entries(r.levels).map(([level, n]) => (
            <Chip key={level} size="small" label={`${level}: ${n}`} />
          ))}
        </Box>
      ),
    },
    { title: 'Failing checks', field: 'failed', type: 'numeric' },
  ];
  return (
    <Table<TeamScorecardRollup>
      title="Readiness of the team and the groups below it"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.rollups.map(r => ({ ...r }))}
    />
  );
}

function WeekCard(props: { gaps: TeamGaps }) {
  const classes = useStyles();
  const week = props.gaps.week;
  if (!week) {
    return (
      <InfoCard title="Week over week">
        <Typography color="textSecondary">no history for last week yet</Typography>
      </InfoCard>
    );
  }
  const change = week.open - week.open_last_week;
  let changeClass: string | undefined;
  if (change > 0) changeClass = classes.worse;
  else if (change < 0) changeClass = classes.better;
  return (
    <InfoCard title="Week over week" subheader="open ownership gaps">
      <Grid container spacing={2}>
        {(
          [
            ['open now', String(week.open), undefined],
            ['change', `${change > 0 ? '+' : ''}${change}`, changeClass],
            ['new this week', String(week.new), undefined],
            ['resolved this week', String(week.resolved), undefined],
          ] as Array<[string, string, string | undefined]>
        ).map(([label, figure, className]) => (
          <Grid item xs={6} key={label}>
            <Typography className={`${classes.figure} ${className ?? ''}`}>
              {figure}
            </Typography>
            <Typography variant="caption">{label}</Typography>
          </Grid>
        ))}
      </Grid>
    </InfoCard>
  );
}

function GapsTable(props: { gaps: TeamGap[] }) {
  const columns: TableColumn<TeamGap>[] = [
    {
      title: 'Entity',
      field: 'subject',
      render: g => <EntityRefLink entityRef={g.subject} />,
    },
    { title: 'Gap', field: 'gap', render: g => g.gap.replace(/_/g, ' ') },
    { title: 'Detail', field: 'detail' },
    { title: 'Since', field: 'first_seen', render: g => shortDate(g.first_seen) },
    {
      title: 'Suggested owner',
      field: 'suggestions',
      render: g =>
        g.suggestions.length === 0
          ? null
          : g.suggestions.map(s => (
              <div key={s.owner}>
                <EntityRefLink entityRef={s.owner} />
                <Typography variant="caption" display="block" color="textSecondary">
                  {s.evidence}
                </Typography>
              </div>
            )),
    },
  ];
  return (
    <Table<TeamGap>
      title={`Open ownership gaps (${props.gaps.length})`}
      options={{ paging: props.gaps.length > 20, pageSize: 20, search: false, padding: 'dense' }}
      columns={columns}
      data={props.gaps.map(g => ({ ...g }))}
    />
  );
}

/** The Group page tab: roll-up per scorecard, week-over-week, open gaps with suggested owners. */
export function GroupStewardContent() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const team = getCompoundEntityRef(entity);
  const scorecards = useStewardCall(api => api.getTeamScorecards(team), [ref]);
  const gaps = useStewardCall(api => api.getTeamGaps(team), [ref]);
  if (scorecards.loading || gaps.loading) return <Progress />;
  const error = scorecards.error ?? gaps.error;
  if (error) return <StewardErrorPanel error={error} subject={ref} />;
  if (!scorecards.value || !gaps.value) return null;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        {scorecards.value.scorecards.length === 0 ? (
          <EmptyState
            missing="data"
            title="No scorecard results for this team"
            description="Neither the team nor the groups below it own an entity that a scorecard selects."
          />
        ) : (
          <RollupTable rollups={scorecards.value.scorecards} />
        )}
      </Grid>
      <Grid item xs={12} md={4}>
        <WeekCard gaps={gaps.value} />
      </Grid>
      <Grid item xs={12}>
        {gaps.value.gaps.length === 0 ? (
          <EmptyState
            missing="info"
            title="No open ownership gaps"
            description="Every entity of this team and the groups below it has a known owner that all sources agree on."
          />
        ) : (
          <GapsTable gaps={gaps.value.gaps} />
        )}
      </Grid>
    </Grid>
  );
}
