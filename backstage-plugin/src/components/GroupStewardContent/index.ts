export { GroupStewardContent } from './GroupStewardContent';
