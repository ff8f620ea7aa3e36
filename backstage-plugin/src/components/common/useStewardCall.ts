import { DependencyList } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { StewardApi, stewardApiRef } from '../../api';

/** Calls the Steward API once per change of `deps`; `retry` calls it again. */
export function useStewardCall<T>(
  call: (api: StewardApi) => Promise<T>,
  deps: DependencyList,
) {
  const api = useApi(stewardApiRef);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useAsyncRetry(() => call(api), [api, ...deps]);
}
