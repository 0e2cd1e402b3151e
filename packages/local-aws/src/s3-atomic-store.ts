import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KeyedLock } from './keyed-lock.ts';
import { checkWriteConditions, type WriteConditions } from './s3-write-conditions.ts';
import {
  allowedMetadata,
  objectResourcePath,
  replaceStoreMethod,
  type S3rverObject,
  type S3rverStore,
} from './s3rver-internals.ts';

/** Options of {@link makeStoreAtomic}. */
export interface AtomicStoreOptions {
  /** Object locks, keyed by {@link objectLockKey}: writers take them exclusively, readers shared. */
  locks: KeyedLock;
  /** The conditions of the write in progress (from the request's headers), if any. */
  conditionsOf: () => WriteConditions | undefined;
}

/** The lock key of an object. */
export function objectLockKey(bucket: string, key: string): string {
  return `object\0${bucket}\0${key}`;
}

function temporaryPathOf(path: string): string {
  return `${path}.${randomUUID()}.tmp`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Writes `data` to a temporary file beside `path`, then renames it over `path`. */
async function writeFileAtomically(path: string, data: string): Promise<void> {
  const temporary = temporaryPathOf(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Streams `content` into `path` (a new file), returning its size and hex MD5. */
async function writeContent(path: string, content: unknown): Promise<[number, string]> {
  const md5 = createHash('md5');
  let size = 0;
  const source =
    typeof content === 'string' || Buffer.isBuffer(content)
      ? Readable.from([Buffer.from(content)])
      : (content as NodeJS.ReadableStream);
  await pipeline(
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    }),
    createWriteStream(path, { flags: 'wx' }),
  );
  return [size, md5.digest('hex')];
}

/**
 * Makes s3rver's store commit objects atomically, and evaluate the write conditions at the commit:
 *
 * - content is written to a temporary file and renamed into place (a reader with the file open keeps
 *   the old content; a part being uploaded is never seen half-written); metadata and MD5 likewise;
 * - a write (`putObject`, which `PutObject`, POST uploads and `CompleteMultipartUpload` end in,
 *   `copyObject`, `deleteObject`) commits under the object's exclusive lock, after checking the
 *   request's `If-Match` / `If-None-Match` against the current ETag, so check and write are one step;
 * - `getObject` (GET, HEAD, `UploadPartCopy`) reads metadata and opens the file under the shared lock,
 *   so its size, ETag and bytes belong to the same version.
 *
 * The body of a `PutObject` is received before the lock is taken: a slow upload holds nobody up.
 */
export function makeStoreAtomic(store: S3rverStore, options: AtomicStoreOptions): void {
  const { locks, conditionsOf } = options;
  const allowed = allowedMetadata();

  async function currentEtag(bucket: string, key: string): Promise<string | undefined> {
    try {
      return (await store.getMetadata(bucket, key)).etag;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async function checkConditions(bucket: string, key: string): Promise<void> {
    const conditions = conditionsOf();
    if (conditions === undefined) return;
    checkWriteConditions(conditions, key, await currentEtag(bucket, key));
  }

  replaceStoreMethod(store, 'putContent', () => async (path, content) => {
    const temporary = temporaryPathOf(path);
    try {
      const result = await writeContent(temporary, content);
      await rename(temporary, path);
      return result;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  });

  replaceStoreMethod(store, 'putMetadata', () => async (bucket, key, metadata, md5) => {
    const json: Record<string, string> = {};
    for (const [name, value] of Object.entries(metadata)) {
      if (allowed.includes(name) || name.startsWith('x-amz-meta-')) json[name] = value;
    }
    if (md5) await writeFileAtomically(objectResourcePath(store, bucket, key, 'object.md5'), md5);
    await writeFileAtomically(
      objectResourcePath(store, bucket, key, 'metadata.json'),
      JSON.stringify(json, null, 2),
    );
  });

  replaceStoreMethod(store, 'putObject', () => async (object: S3rverObject) => {
    const objectPath = objectResourcePath(store, object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const temporary = temporaryPathOf(objectPath);
    try {
      const [size, md5] = await writeContent(temporary, object.content);
      return await locks.exclusive(objectLockKey(object.bucket, object.key), async () => {
        await checkConditions(object.bucket, object.key);
        // The directory may have been removed meanwhile by a delete of the last object in it.
        await mkdir(dirname(objectPath), { recursive: true });
        await rename(temporary, objectPath);
        await store.putMetadata(object.bucket, object.key, object.metadata, md5);
        return { size, md5 };
      });
    } finally {
      await rm(temporary, { force: true });
    }
  });

  replaceStoreMethod(
    store,
    'copyObject',
    (copyObject) => (srcBucket, srcKey, destBucket, destKey, replacementMetadata) =>
      locks.exclusive(objectLockKey(destBucket, destKey), async () => {
        await checkConditions(destBucket, destKey);
        return copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
      }),
  );

  replaceStoreMethod(
    store,
    'deleteObject',
    (deleteObject) => (bucket, key) =>
      locks.exclusive(objectLockKey(bucket, key), () => deleteObject(bucket, key)),
  );

  replaceStoreMethod(
    store,
    'getObject',
    (getObject) => (bucket, key, readOptions) =>
      locks.shared(objectLockKey(bucket, key), () => getObject(bucket, key, readOptions)),
  );
}
