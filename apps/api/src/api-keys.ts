import { createHash, timingSafeEqual } from 'node:crypto';

/** An accepted API key: its public id and the SHA-256 of the secret (the secret itself is never stored). */
export interface ApiKey {
  id: string;
  sha256: Buffer;
  /** Sees and deletes every job (`<id>:<sha256>:admin`); other keys see only the jobs they created. */
  admin?: boolean | undefined;
}

/** SHA-256 hex of a key, as `API_KEYS` expects it (`printf %s "$KEY" | sha256sum`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Parses `API_KEYS=<id>:<sha256 hex>[:admin],…`; one message per bad entry. */
export function parseApiKeys(value: string): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_.-]{1,64}):([0-9a-fA-F]{64})(:admin)?$/.exec(entry);
    if (match === null) {
      problems.push(
        `API_KEYS entry "${entry.slice(0, 80)}" is not <id>:<64 hex characters of the key's SHA-256>[:admin]`,
      );
      continue;
    }
    const [, id = '', hex = '', admin] = match;
    if (ids.has(id)) problems.push(`API_KEYS names the id "${id}" twice`);
    ids.add(id);
    keys.push({ id, sha256: Buffer.from(hex, 'hex'), ...(admin === undefined ? {} : { admin: true }) });
  }
  if (keys.length === 0 && problems.length === 0) problems.push('API_KEYS is set but holds no key');
  return { keys, problems };
}

/** The key whose hash matches `presented`, compared in constant time against every configured key. */
export function findApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.sha256, digest) && found === undefined) found = key;
  }
  return found;
}
