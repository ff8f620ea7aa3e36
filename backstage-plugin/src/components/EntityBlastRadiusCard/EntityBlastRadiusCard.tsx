import { Fragment, type ReactNode } from 'react';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { BlastRadius, ImpactedEntity } from '../../api';
import { LevelChip, StewardErrorPanel, useStewardCall } from '../common';

const useStyles = makeStyles(theme => ({
  team: {
    backgroundColor: theme.palette.background.default,
    fontWeight: 600,
  },
  noOncall: { color: theme.palette.error.main },
  notApplicable: { color: theme.palette.text.secondary },
}));

const NO_OWNER = '(no owner)';

/** Impacted entities grouped by their first owner; teams with most impacted first. */
export function groupByTeam(
  impacted: ImpactedEntity[],
): Array<[string, ImpactedEntity[]]> {
  const groups = new Map<string, ImpactedEntity[]>();
  for (const item of impacted) {
    const team = item.owners[0] ?? NO_OWNER;
    const list = groups.get(team) ?? [];
    list.push(item);
    groups.set(team, list);
  }
  return [...groups.entries()]
    .map(([team, items]): [string, ImpactedEntity[]] => [
      team,
      [...items].sort((a, b) => a.depth - b.depth || a.ref.localeCompare(b.ref)),
    ])
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

/** Who is on call; a component without a PagerDuty service is marked, other kinds are not. */
function Oncall(props: { item: ImpactedEntity }) {
  const classes = useStyles();
  const { item } = props;
  if (item.oncall) {
    return <>{item.oncall.oncall_now.join(', ') || 'nobody'}</>;
  }
  if (item.ref.startsWith('component:')) {
    return <span className={classes.noOncall}>none</span>;
  }
  return <span className={classes.notApplicable}>—</span>;
}

function BlastRadiusTable(props: { blast: BlastRadius }) {
  const classes = useStyles();
  const groups = groupByTeam(props.blast.impacted);
  return (
    <MuiTable size="small">
      <TableHead>
        <TableRow>
          <TableCell>Impacted</TableCell>
          <TableCell>Depth</TableCell>
          <TableCell>On call</TableCell>
          <TableCell>Level</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {groups.map(([team, items]) => (
          <Fragment key={team}>
            <TableRow>
              <TableCell colSpan={4} className={classes.team} data-testid="steward-team">
                {team === NO_OWNER ? NO_OWNER : <EntityRefLink entityRef={team} />}{' '}
                ({items.length})
              </TableCell>
            </TableRow>
            {items.map(item => (
              <TableRow key={item.ref} data-testid="steward-impacted">
                <TableCell>
                  <EntityRefLink entityRef={item.ref} defaultKind="component" />
                </TableCell>
                <TableCell>{item.depth}</TableCell>
                <TableCell>
                  <Oncall item={item} />
                </TableCell>
                <TableCell>
                  <LevelChip level={item.level} />
                </TableCell>
              </TableRow>
            ))}
          </Fragment>
        ))}
      </TableBody>
    </MuiTable>
  );
}

/** A card: what is impacted if this entity fails, grouped by owning team. */
export function EntityBlastRadiusCard(props: { depth?: number }) {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const { value, loading, error } = useStewardCall(
    api =>
      api.getBlastRadius(getCompoundEntityRef(entity), { depth: props.depth }),
    [ref, props.depth],
  );
  let body: ReactNode;
  if (loading) body = <Progress />;
  else if (error) body = <StewardErrorPanel error={error} subject={ref} />;
  else if (value && value.impacted.length === 0)
    body = (
      <EmptyState
        missing="data"
        title="Nothing depends on this entity"
        description="No entity in the catalog depends on it, consumes its APIs or is made of it."
      />
    );
  else if (value) body = <BlastRadiusTable blast={value} />;
  const count = value?.impacted.length;
  const teams = value ? groupByTeam(value.impacted).length : 0;
  return (
    <InfoCard
      title="Blast radius (Steward)"
      subheader={
        count
          ? `${count} impacted entit${count === 1 ? 'y' : 'ies'} across ${teams} owner${teams === 1 ? '' : 's'} if this fails`
          : undefined
      }
    >
      {body}
    </InfoCard>
  );
}
