import type { JobSpec } from '@media-server/jobs';

/** Who is calling: the API key's id and whether it is an admin key. */
export interface Caller {
  keyId: string;
  admin: boolean;
}

/**
 * Whether `caller` may see (and delete) a job. A job belongs to the key that created it (`spec.owner`);
 * an admin key sees every job. Jobs without a spec or without an owner (started by a raw S3 upload event,
 * not through the API) belong to no key: only admin keys see them.
 */
export function mayAccess(caller: Caller | undefined, spec: JobSpec | undefined): boolean {
  if (caller === undefined) return false;
  if (caller.admin) return true;
  const owner = spec?.owner;
  return owner !== undefined && owner !== '' && owner === caller.keyId;
}
