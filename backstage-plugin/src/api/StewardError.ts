/**
 * Why a call to the Steward service failed, sorted by what a person can do about it.
 *
 * - `unauthorized`: the proxy sent no or a wrong token (401/403).
 * - `not-found`: Steward does not know the entity or team (404).
 * - `unavailable`: the service (or the proxy's target) is down (network error, 502/503/504).
 * - `other`: anything else (400, 500, a body that is not JSON…).
 */
export type StewardErrorKind =
  | 'unauthorized'
  | 'not-found'
  | 'unavailable'
  | 'other';

/** An error from the Steward service, with the HTTP status and problem detail. */
export class StewardError extends Error {
  readonly kind: StewardErrorKind;
  readonly status: number | undefined;
  readonly detail: string | undefined;
  /** For a 404: refs the service knows with close names. */
  readonly suggestions: string[];

  constructor(
    message: string,
    options: {
      kind: StewardErrorKind;
      status?: number;
      detail?: string;
      suggestions?: string[];
    },
  ) {
    super(message);
    this.name = 'StewardError';
    this.kind = options.kind;
    this.status = options.status;
    this.detail = options.detail;
    this.suggestions = options.suggestions ?? [];
  }
}

/** The kind of error an HTTP status stands for. */
export function errorKindOf(status: number): StewardErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'other';
}
