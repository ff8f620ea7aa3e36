export { EntityStewardContent } from './EntityStewardContent';
