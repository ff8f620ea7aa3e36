import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import { InfoCard, Progress } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { EntityOwnership, OwnershipClaim } from '../../api';
import { shortDate, StewardErrorPanel, useStewardCall } from '../common';

const useStyles = makeStyles(theme => ({
  conflict: {
    backgroundColor: alpha(theme.palette.warning.main, 0.15),
    borderLeft: `4px solid ${theme.palette.warning.main}`,
  },
  section: { marginTop: theme.spacing(2) },
  evidence: { wordBreak: 'break-word' },
}));

/** Whether a claim names another owner than the one Steward resolved (a listed conflict). */
export function isConflicting(
  claim: OwnershipClaim,
  ownership: EntityOwnership,
): boolean {
  const owner = claim.owner?.toLocaleLowerCase('en-US');
  if (!owner || owner === ownership.owner?.toLocaleLowerCase('en-US')) {
    return false;
  }
  return ownership.conflicts.some(
    c =>
      c.source === claim.source &&
      c.role === claim.role &&
      c.claimed_owners.some(o => o.toLocaleLowerCase('en-US') === owner),
  );
}

function OwnershipBody(props: { ownership: EntityOwnership }) {
  const { ownership } = props;
  const classes = useStyles();
  const oncall = ownership.oncall;
  return (
    <>
      <Typography variant="overline" display="block">
        Owner
      </Typography>
      {ownership.owner ? (
        <EntityRefLink entityRef={ownership.owner} />
      ) : (
        <Typography color="error">No owner</Typography>
      )}
      {ownership.conflicts.length > 0 && (
        <Chip
          size="small"
          label={`${ownership.conflicts.length} source${
            ownership.conflicts.length > 1 ? 's disagree' : ' disagrees'
          }`}
          style={{ marginLeft: 8 }}
          data-testid="steward-conflict-count"
        />
      )}

      <Typography variant="overline" display="block" className={classes.section}>
        Claims by source
      </Typography>
      <List dense disablePadding>
        {ownership.claims.map((claim, i) => {
          const conflicting = isConflicting(claim, ownership);
          return (
            <ListItem
              key={`${claim.source}-${claim.owner}-${i}`}
              className={conflicting ? classes.conflict : undefined}
              data-testid={conflicting ? 'steward-conflict' : 'steward-claim'}
            >
              <ListItemText
                primary={
                  <>
                    <b>{claim.source}</b> ({claim.role}):{' '}
                    {claim.owner ? (
                      <EntityRefLink entityRef={claim.owner} />
                    ) : (
                      <i>{claim.owner_raw ?? 'nobody'}</i>
                    )}
                    {conflicting ? ' — disagrees' : ''}
                  </>
                }
                secondary={
                  <span className={classes.evidence}>{claim.evidence ?? ''}</span>
                }
              />
            </ListItem>
          );
        })}
      </List>

      <Typography variant="overline" display="block" className={classes.section}>
        Open gaps
      </Typography>
      {ownership.gaps.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          none
        </Typography>
      ) : (
        <List dense disablePadding>
          {ownership.gaps.map(gap => (
            <ListItem key={`${gap.gap}-${gap.detail}`}>
              <ListItemText
                primary={gap.gap.replace(/_/g, ' ')}
                secondary={`${gap.detail} (since ${shortDate(gap.first_seen)})`}
              />
            </ListItem>
          ))}
        </List>
      )}

      <Typography variant="overline" display="block" className={classes.section}>
        On call now
      </Typography>
      {oncall ? (
        <Box>
          <Typography variant="body2">
            {oncall.oncall_now.length > 0
              ? oncall.oncall_now.join(', ')
              : 'nobody'}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {[oncall.service_name, oncall.escalation_policy_name]
              .filter(Boolean)
              .join(' · ')}
          </Typography>
        </Box>
      ) : (
        <Typography variant="body2" color="textSecondary">
          no PagerDuty service
        </Typography>
      )}
    </>
  );
}

/** A card: who owns the entity according to every source, conflicts, gaps, on-call. */
export function EntityOwnershipCard() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const { value, loading, error } = useStewardCall(
    api => api.getEntityOwnership(getCompoundEntityRef(entity)),
    [ref],
  );
  let body: ReactNode;
  if (loading) body = <Progress />;
  else if (error) body = <StewardErrorPanel error={error} subject={ref} />;
  else if (value) body = <OwnershipBody ownership={value} />;
  return <InfoCard title="Ownership (Steward)">{body}</InfoCard>;
}
