import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  Gauge,
  InfoCard,
  Table,
  TableColumn,
  TrendLine,
} from '@backstage/core-components';
import { EntityScorecard, ScorecardCheck } from '../../api';
import { CheckStateIcon, LevelChip, shortDate } from '../common';

const useStyles = makeStyles(theme => ({
  summary: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(3),
    marginBottom: theme.spacing(2),
  },
  gauge: { width: 120 },
  ladder: { display: 'flex', gap: theme.spacing(1), alignItems: 'center' },
  reached: { color: theme.palette.text.primary, fontWeight: 600 },
  notReached: { color: theme.palette.text.secondary },
  trend: { width: 220 },
  evidence: { wordBreak: 'break-word' },
  exemption: { color: theme.palette.text.secondary },
}));

const STATE_ORDER: Record<ScorecardCheck['state'], number> = {
  fail: 0,
  unknown: 1,
  exempt: 2,
  pass: 3,
};

/** One scorecard for one entity: level on the ladder, score, trend and every check. */
export function ScorecardCard(props: { scorecard: EntityScorecard }) {
  const { scorecard } = props;
  const classes = useStyles();
  const rank = scorecard.level ? scorecard.levels.indexOf(scorecard.level) : -1;
  const scores = scorecard.history
    .map(point => point.score)
    .filter((score): score is number => score !== null);
  const failing = scorecard.checks.filter(c => c.state === 'fail').length;
  const checks = [...scorecard.checks]
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state])
    .map(check => ({ ...check }));

  const columns: TableColumn<ScorecardCheck>[] = [
    {
      title: 'State',
      field: 'state',
      width: '10%',
      render: check => <CheckStateIcon state={check.state} />,
    },
    {
      title: 'Check',
      field: 'title',
      render: check => (
        <>
          <Typography variant="body2">{check.title}</Typography>
          <Typography variant="caption" color="textSecondary">
            {check.level ? `for ${check.level}` : ''} · weight {check.weight}
          </Typography>
        </>
      ),
    },
    {
      title: 'Evidence',
      field: 'evidence',
      render: check => (
        <Typography variant="body2" className={classes.evidence}>
          {check.evidence}
        </Typography>
      ),
    },
    {
      title: 'Exemption',
      field: 'exemption',
      render: check =>
        check.exemption ? (
          <Typography variant="body2" className={classes.exemption}>
            {check.exemption.reason}
            {check.exemption.expires
              ? ` (until ${shortDate(check.exemption.expires)})`
              : ''}
          </Typography>
        ) : null,
    },
  ];

  return (
    <InfoCard
      title={scorecard.title}
      subheader={`${scorecard.checks.length} checks, ${failing} failing`}
    >
      <Box className={classes.summary}>
        <Box className={classes.gauge}>
          {scorecard.score !== null ? (
            <Gauge value={scorecard.score / 100} size="small" />
          ) : (
            <Typography color="textSecondary">no score</Typography>
          )}
        </Box>
        <Box>
          <Typography variant="overline" display="block">
            Level
          </Typography>
          <Box className={classes.ladder} data-testid="steward-ladder">
            <LevelChip level={scorecard.level} levels={scorecard.levels} />
            <Typography variant="body2" component="span">
              {scorecard.levels.map((name, i) => (
                <span
                  key={name}
                  className={i <= rank ? classes.reached : classes.notReached}
                >
                  {i > 0 ? ' → ' : ''}
                  {name}
                </span>
              ))}
            </Typography>
          </Box>
        </Box>
        <Box className={classes.trend}>
          <Typography variant="overline" display="block">
            Trend ({scorecard.history.length}{' '}
            {scorecard.history.length === 1 ? 'run' : 'runs'})
          </Typography>
          {scores.length >= 2 ? (
            <TrendLine data={scores} max={100} title="score over past runs" />
          ) : (
            <Typography variant="body2" color="textSecondary">
              {scores.length === 1
                ? `one run so far (${shortDate(scorecard.history[0].at)})`
                : 'no past runs'}
            </Typography>
          )}
        </Box>
      </Box>
      <Table<ScorecardCheck>
        options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
        columns={columns}
        data={checks}
      />
    </InfoCard>
  );
}
