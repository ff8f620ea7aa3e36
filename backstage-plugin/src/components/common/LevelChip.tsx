import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';

/** A level name as a chip; a reached level is filled, `null` shows "no level". */
export function LevelChip(props: { level: string | null; levels?: string[] }) {
  const { level, levels } = props;
  const rank = level && levels ? levels.indexOf(level) + 1 : 0;
  const chip = (
    <Chip
      size="small"
      label={level ?? 'no level'}
      color={level ? 'primary' : 'default'}
      variant={level ? 'default' : 'outlined'}
      data-testid="steward-level"
    />
  );
  if (!levels || levels.length === 0) return chip;
  return (
    <Tooltip title={`level ${rank} of ${levels.length}: ${levels.join(' → ')}`}>
      {chip}
    </Tooltip>
  );
}
