export { StewardErrorPanel } from './StewardErrorPanel';
export { CheckStateIcon } from './CheckStateIcon';
export { LevelChip } from './LevelChip';
export { shortRef, shortDate } from './refs';
export { useStewardCall } from './useStewardCall';
