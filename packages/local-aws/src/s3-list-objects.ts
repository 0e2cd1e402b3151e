import { AsyncLocalStorage } from 'node:async_hooks';
import { replaceStoreMethod, type S3rverStore, s3Error } from './s3rver-internals.ts';

// s3rver's ListObjects(V2) has two faults this module corrects:
// - MaxKeys limits only the keys: every common prefix (Delimiter) is returned, and IsTruncated stays false
//   however many there are (S3 counts keys and common prefixes together against MaxKeys);
// - its continuation tokens are DES-encrypted, which OpenSSL 3 (Node 17+) refuses, so a truncated
//   ListObjectsV2 page answered InternalError.
// The store's listObjects is wrapped to page keys and prefixes together (and to never report truncation
// to s3rver's controller), and a middleware inside s3rver's XML encoder completes the page.

/** A listing in progress: what the store found beyond the page. */
interface ListingState {
  truncated: boolean;
  /** The last key or common prefix of the page. */
  last: string | undefined;
  keyCount: number;
}

interface ListOptions {
  delimiter?: string | undefined;
  startAfter?: string | undefined;
  prefix?: string | undefined;
  maxKeys?: number | undefined;
}

interface ListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

interface ListingContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  querystring: string;
  body: unknown;
}

const TOKEN_PREFIX = 'local-aws:';
const listings = new AsyncLocalStorage<ListingState>();

function encodeToken(startAfter: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${startAfter}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) {
    throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  }
  return text.slice(TOKEN_PREFIX.length);
}

/** Wraps s3rver's `store.listObjects` so that keys and common prefixes share MaxKeys. */
export function pageListObjects(store: S3rverStore): void {
  replaceStoreMethod(store, 'listObjects', (listObjects) => async (bucket, options: ListOptions) => {
    const maxKeys = options.maxKeys ?? 1000;
    const startAfter = options.startAfter ?? '';
    const all = await listObjects(bucket, {
      ...options,
      // Without a delimiter one key more tells whether the page is truncated; with one, prefixes count too.
      maxKeys: options.delimiter ? Number.POSITIVE_INFINITY : maxKeys + 1,
    });
    type Entry = { name: string; object?: ListResult['objects'][number] };
    const entries: Entry[] = [
      ...all.objects.map((object) => ({ name: object.key, object })),
      ...all.commonPrefixes.filter((prefix) => prefix > startAfter).map((name) => ({ name })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = entries.slice(0, maxKeys);
    const state = listings.getStore();
    if (state) {
      state.truncated = entries.length > page.length || (!options.delimiter && all.isTruncated);
      state.last = page.at(-1)?.name;
      state.keyCount = page.length;
    }
    return {
      objects: page.flatMap((entry) => (entry.object ? [entry.object] : [])),
      commonPrefixes: page.filter((entry) => !entry.object).map((entry) => entry.name),
      isTruncated: false,
    };
  });
}

function isListObjects(ctx: ListingContext): boolean {
  if (ctx.method !== 'GET' || !/^\/[^/]+\/?$/.test(ctx.path)) return false;
  // A bucket subresource (?cors, ?location...) is not a listing.
  const listingParameters = new Set([
    'list-type',
    'continuation-token',
    'start-after',
    'fetch-owner',
    'prefix',
    'delimiter',
    'max-keys',
    'marker',
    'encoding-type',
  ]);
  return Object.keys(ctx.query).every((name) => listingParameters.has(name) || /^x-amz-|^X-Amz-/.test(name));
}

/**
 * The middleware that completes a ListObjects page (`IsTruncated`, `NextContinuationToken` / `NextMarker`,
 * `KeyCount`) and reads our continuation tokens. It must run inside s3rver's XML encoding middleware,
 * where the response body is still an object.
 */
export async function listObjectsMiddleware(ctx: ListingContext, next: () => Promise<void>): Promise<void> {
  if (!isListObjects(ctx)) return next();
  const v2 = ctx.query['list-type'] === '2';
  const token = v2 ? ctx.query['continuation-token'] : undefined;
  if (typeof token === 'string' && token !== '') {
    const startAfter = decodeToken(token);
    const params = new URLSearchParams(ctx.querystring);
    params.delete('continuation-token');
    params.set('start-after', startAfter);
    ctx.querystring = params.toString();
  }
  const state: ListingState = { truncated: false, last: undefined, keyCount: 0 };
  await listings.run(state, next);
  const result = (ctx.body as { ListBucketResult?: Record<string, unknown> } | undefined)?.ListBucketResult;
  if (!result) return;
  result.IsTruncated = state.truncated;
  if (v2) {
    result.KeyCount = state.keyCount;
    if (typeof token === 'string' && token !== '') {
      result.ContinuationToken = token;
      result.StartAfter = undefined;
    }
    result.NextContinuationToken =
      state.truncated && state.last !== undefined ? encodeToken(state.last) : undefined;
  } else {
    result.NextMarker = state.truncated ? state.last : undefined;
  }
}
