import { parseEntityRef } from '@backstage/catalog-model';

/** `kind:namespace/name` for display without the default namespace. */
export function shortRef(ref: string): string {
  try {
    const { kind, namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? `${kind}:${name}` : `${kind}:${namespace}/${name}`;
  } catch {
    return ref;
  }
}

/** A date-time from the service as a short local date, or the text as it came. */
export function shortDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return value;
  return date.toISOString().slice(0, 10);
}
