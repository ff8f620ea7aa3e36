import {
  EmptyState,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { StewardError } from '../../api';

/**
 * What went wrong, told so that the reader knows what to do: fix the proxy's token, start the
 * service, or wait for the entity to be ingested.
 */
export function StewardErrorPanel(props: { error: Error; subject: string }) {
  const { error, subject } = props;
  if (error instanceof StewardError) {
    if (error.kind === 'unauthorized') {
      return (
        <WarningPanel
          defaultExpanded
          severity="error"
          title={`Steward refused the request (${error.status})`}
          message={
            <>
              The Backstage proxy entry <code>/steward</code> must send{' '}
              <code>Authorization: Bearer &lt;token&gt;</code> with a token from the
              service&apos;s <code>api.tokens_env</code> variable (see the plugin README).
            </>
          }
        />
      );
    }
    if (error.kind === 'not-found') {
      return (
        <EmptyState
          missing="data"
          title={`Steward does not know ${subject}`}
          description={`Steward has no data for ${subject} yet. It appears once a source that Steward ingests (catalog-info.yaml, CODEOWNERS, cloud tags, PagerDuty) reports it.${
            error.detail ? ` The service said: ${error.detail}.` : ''
          }${
            error.suggestions.length > 0
              ? ` Close names it knows: ${error.suggestions.join(', ')}.`
              : ''
          }`}
        />
      );
    }
    if (error.kind === 'unavailable') {
      return (
        <WarningPanel
          defaultExpanded
          severity="warning"
          title="The Steward service is unreachable"
          message={
            <>
              {error.message}. Check that the service runs and that the proxy entry{' '}
              <code>/steward</code> in <code>app-config.yaml</code> targets it.
            </>
          }
        />
      );
    }
  }
  return <ResponseErrorPanel error={error} />;
}
