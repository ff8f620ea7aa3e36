export { stewardApiRef } from './StewardApi';
export type { StewardApi } from './StewardApi';
export { StewardClient, STEWARD_PROXY_PATH } from './StewardClient';
export { StewardError, errorKindOf } from './StewardError';
export type { StewardErrorKind } from './StewardError';
export type * from './types';
