/**
 * Steward for Backstage: scorecards, ownership and blast radius on entity pages, a team's
 * roll-up and gaps on group pages.
 *
 * Legacy frontend system: `stewardPlugin` and the components below, placed on `EntityPage`.
 * New frontend system: the default export (discovered with `app.packages: all`).
 *
 * @packageDocumentation
 */
export {
  stewardPlugin,
  EntityStewardContent,
  EntityOwnershipCard,
  EntityBlastRadiusCard,
  GroupStewardContent,
} from './plugin';
export { stewardFrontendPlugin } from './alpha';
export { stewardFrontendPlugin as default } from './alpha';
export * from './api';
