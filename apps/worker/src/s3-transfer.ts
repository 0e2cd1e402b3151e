import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isNotFound } from '@media-server/jobs';
import type { DownloadPace } from './download-pace.ts';
import { JobFailure } from './job-failure.ts';

/** What S3 says about the source object. */
export interface SourceObject {
  etag: string | undefined;
  size: number | undefined;
}

/**
 * Streams an object to `file` (constant memory whatever its size). Fails permanently when the object is
 * gone or larger than `maxBytes` (checked on the announced length and again while streaming).
 */
export async function downloadObject(options: {
  s3: S3Client;
  bucket: string;
  key: string;
  file: string;
  maxBytes: number;
  signal?: AbortSignal | undefined;
  /** Called as bytes arrive, with the bytes so far and the object's length (when S3 announced one). */
  onBytes?: ((bytes: number, total: number | undefined) => void) | undefined;
  /** Caps the rate while set (see {@link DownloadPace}). */
  pace?: DownloadPace | undefined;
}): Promise<SourceObject & { bytes: number }> {
  let object: GetObjectCommandOutput;
  try {
    object = await options.s3.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: options.key }),
      options.signal ? { abortSignal: options.signal } : {},
    );
  } catch (error) {
    if (isNotFound(error)) {
      throw new JobFailure('SOURCE_MISSING', `source object ${options.key} does not exist`, { cause: error });
    }
    throw error;
  }
  if (object.ContentLength !== undefined && object.ContentLength > options.maxBytes) {
    (object.Body as NodeJS.ReadableStream | undefined)?.resume?.();
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new JobFailure(
      'INPUT_TOO_LARGE',
      `source is ${object.ContentLength} bytes, over the limit of ${options.maxBytes}`,
    );
  }
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        callback(new JobFailure('INPUT_TOO_LARGE', `source is over the limit of ${options.maxBytes} bytes`));
        return;
      }
      options.onBytes?.(bytes, object.ContentLength);
      if (options.pace?.bytesPerSecond === undefined) callback(null, chunk);
      else
        options.pace.wait(bytes, options.signal).then(
          () => callback(null, chunk),
          (error: unknown) => callback(error as Error),
        );
    },
  });
  await pipeline(object.Body as NodeJS.ReadableStream, limit, createWriteStream(options.file), {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { etag: normaliseEtag(object.ETag), size: object.ContentLength, bytes };
}

/** Streams a local file to S3 (multipart above 8 MiB, at most two parts in memory). */
export async function uploadFile(options: {
  s3: S3Client;
  bucket: string;
  key: string;
  file: string;
  contentType: string;
  signal?: AbortSignal | undefined;
}): Promise<number> {
  const { size } = await stat(options.file);
  const upload = new Upload({
    client: options.s3,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: createReadStream(options.file),
      ContentType: options.contentType,
      ContentLength: size,
    },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  const onAbort = () => void upload.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return size;
}

export function normaliseEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replaceAll('"', '');
}
