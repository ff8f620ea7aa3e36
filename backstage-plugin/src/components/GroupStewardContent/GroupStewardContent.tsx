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
import {
  GapCounts,
  GapSuggestions,
  OwnershipGapReport,
  SuggestedOwner,
  TeamGap,
  TeamScorecardRollup,
} from '../../api';
import { shortDate, StewardErrorPanel, useStewardCall } from '../common';

const useStyles = makeStyles(theme => ({
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  figure: { fontSize: '2rem', fontWeight: 600 },
  worse: { color: theme.palette.error.main },
  better: { color: theme.palette.success.main },
}));

/** A scorecard id as a title: `production-readiness` → `Production readiness`. */
export function scorecardTitle(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
}

function RollupTable(props: { rollups: TeamScorecardRollup[] }) {
  const classes = useStyles();
  const columns: TableColumn<TeamScorecardRollup>[] = [
    {
      title: 'Scorecard',
      field: 'scorecard',
      render: r => scorecardTitle(r.scorecard),
    },
    {
      title: 'Entities (own)',
      field: 'entities',
      render: r => `${r.entities} (${r.own_entities})`,
    },
    {
      title: 'Average score',
      field: 'average_score',
      render: r =>
        r.average_score === null ? '—' : r.average_score.toFixed(1),
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
    { title: 'Failing checks', field: 'failed' },
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

/** The report's counts for `team`, or null when the report has no section for it. */
export function weekCounts(
  report: OwnershipGapReport,
  team: string,
): GapCounts | null {
  const section = report.teams.find(t => t.team === team);
  return section ? section.rollup : null;
}

function WeekCard(props: {
  report: OwnershipGapReport;
  team: string;
  open: number;
}) {
  const classes = useStyles();
  const counts = weekCounts(props.report, props.team);
  const subheader = `open ownership gaps, week ${props.report.week}${
    props.report.partial ? ' so far' : ''
  }`;
  if (!counts) {
    return (
      <InfoCard title="Week over week" subheader={subheader}>
        <Typography data-testid="steward-week-unchanged">
          No gap opened or closed this week; {props.open} still open.
        </Typography>
      </InfoCard>
    );
  }
  const change = counts.open - counts.open_previous_week;
  let changeClass: string | undefined;
  if (change > 0) changeClass = classes.worse;
  else if (change < 0) changeClass = classes.better;
  const figures: Array<[string, string, string | undefined]> = [
    ['open now', String(counts.open), undefined],
    ['vs last week', `${change > 0 ? '+' : ''}${change}`, changeClass],
    ['new this week', String(counts.new), undefined],
    ['resolved this week', String(counts.resolved), undefined],
  ];
  return (
    <InfoCard title="Week over week" subheader={subheader}>
      <Grid container spacing={2}>
        {figures.map(([label, figure, className]) => (
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

type GapRow = TeamGap & { suggestions: SuggestedOwner[] };

function GapsTable(props: { gaps: GapRow[]; count: number }) {
  const columns: TableColumn<GapRow>[] = [
    {
      title: 'Entity',
      field: 'subject',
      render: g => <EntityRefLink entityRef={g.subject} />,
    },
    { title: 'Gap', field: 'gap', render: g => g.gap.replace(/_/g, ' ') },
    { title: 'Detail', field: 'detail' },
    {
      title: 'Since',
      field: 'first_seen',
      render: g => shortDate(g.first_seen),
    },
    {
      title: 'Suggested owner',
      field: 'suggestions',
      render: g =>
        g.suggestions.map(s => (
          <div key={s.owner} data-testid="steward-suggestion">
            <EntityRefLink entityRef={s.owner} />
            {s.evidence.map(e => (
              <Typography
                key={`${e.kind}-${e.detail}`}
                variant="caption"
                display="block"
                color="textSecondary"
              >
                {e.detail}
              </Typography>
            ))}
          </div>
        )),
    },
  ];
  // the suggestion column only when the report suggests an owner for one of these gaps
  const shown = props.gaps.some(g => g.suggestions.length > 0)
    ? columns
    : columns.filter(c => c.field !== 'suggestions');
  return (
    <Table<GapRow>
      title={`Open ownership gaps (${props.count})`}
      options={{
        paging: props.gaps.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
      columns={shown}
      data={props.gaps.map(g => ({ ...g }))}
    />
  );
}

/** Each gap with the owners the report suggests for it (none for most gap types). */
export function withSuggestions(
  gaps: TeamGap[],
  report: OwnershipGapReport | undefined,
): GapRow[] {
  return gaps.map(gap => ({
    ...gap,
    suggestions:
      report?.suggestions.find(
        s => s.subject === gap.subject && s.gap === gap.gap,
      )?.suggestions ?? [],
  }));
}

/** The report's unowned entities for which some suggested owner is one of `groups`. */
export function suggestedFor(
  report: OwnershipGapReport | undefined,
  groups: string[],
): GapSuggestions[] {
  if (!report) return [];
  return report.suggestions
    .map(s => ({
      ...s,
      suggestions: s.suggestions.filter(x => groups.includes(x.owner)),
    }))
    .filter(s => s.suggestions.length > 0);
}

function SuggestionsTable(props: { items: GapSuggestions[] }) {
  const columns: TableColumn<GapSuggestions>[] = [
    {
      title: 'Entity',
      field: 'subject',
      render: s =>
        s.subject.includes(':') && !s.subject.startsWith('arn:') ? (
          <EntityRefLink entityRef={s.subject} />
        ) : (
          s.subject
        ),
    },
    { title: 'Gap', field: 'gap', render: s => s.gap.replace(/_/g, ' ') },
    { title: 'Detail', field: 'detail' },
    {
      title: 'Suggested owner, and why',
      field: 'suggestions',
      render: s =>
        s.suggestions.map(x => (
          <div key={x.owner} data-testid="steward-suggestion">
            <EntityRefLink entityRef={x.owner} />
            {x.evidence.map(e => (
              <Typography
                key={`${e.kind}-${e.detail}`}
                variant="caption"
                display="block"
                color="textSecondary"
              >
                {e.detail}
              </Typography>
            ))}
          </div>
        )),
    },
  ];
  return (
    <Table<GapSuggestions>
      title={`Entities without a known owner that this team probably owns (${props.items.length})`}
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.items.map(s => ({ ...s }))}
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
  const report = useStewardCall(api => api.getOwnershipGapReport(), []);
  if (scorecards.loading || gaps.loading || report.loading) return <Progress />;
  const error = scorecards.error ?? gaps.error;
  if (error) return <StewardErrorPanel error={error} subject={ref} />;
  if (!scorecards.value || !gaps.value) return null;
  const suggested = suggestedFor(report.value, [
    scorecards.value.team,
    ...scorecards.value.groups,
  ]);
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
        {report.error || !report.value ? (
          <InfoCard title="Week over week">
            <StewardErrorPanel
              error={report.error ?? new Error('no report')}
              subject="the weekly report"
            />
          </InfoCard>
        ) : (
          <WeekCard
            report={report.value}
            team={scorecards.value.team}
            open={gaps.value.count}
          />
        )}
      </Grid>
      <Grid item xs={12}>
        {gaps.value.gaps.length === 0 ? (
          <EmptyState
            missing="info"
            title="No open ownership gaps"
            description="Every entity of this team and the groups below it has a known owner that all sources agree on."
          />
        ) : (
          <GapsTable
            gaps={withSuggestions(gaps.value.gaps, report.value)}
            count={gaps.value.count}
          />
        )}
      </Grid>
      {suggested.length > 0 && (
        <Grid item xs={12}>
          <SuggestionsTable items={suggested} />
        </Grid>
      )}
    </Grid>
  );
}
