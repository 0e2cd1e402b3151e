import { extname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DownloadPace } from './download-pace.ts';
import type { JobTarget } from './job-target.ts';
import { downloadObject, type SourceObject } from './s3-transfer.ts';

/** A source download running in the background, for runs that read the file while it grows. */
export interface SourceDownload {
  /** The local file the source is streamed to. */
  file: string;
  /** Settles when the download ends (rejects with its error). Never unhandled. */
  ended: Promise<SourceObject & { bytes: number }>;
  /** Aborted with the download's error when it fails. */
  failed: AbortSignal;
  readonly finished: boolean;
  /** How long the download took (0 until it finished). */
  readonly ms: number;
  /** Bytes on disk so far. */
  readonly bytes: number;
  /** The object's length as S3 announced it (else the event's size), if known. */
  readonly total: number | undefined;
  /** Caps the download's rate until released (see {@link DownloadPace}). */
  readonly pace: DownloadPace;
}

/**
 * Starts streaming the job's source into `workDir`. The local name keeps a short, safe extension: the image
 * demuxers look at it.
 */
export function startSourceDownload(options: {
  s3: S3Client;
  target: JobTarget;
  workDir: string;
  maxBytes: number;
  signal: AbortSignal;
  onBytes: (bytes: number, total: number | undefined) => void;
}): SourceDownload {
  const { target } = options;
  const startedAt = Date.now();
  const extension = extname(target.key).toLowerCase();
  const file = join(options.workDir, `source${/^\.[a-z0-9]{1,5}$/.test(extension) ? extension : ''}`);
  const failed = new AbortController();
  let finished = false;
  let ms = 0;
  let bytesSoFar = 0;
  let total = target.size;
  const pace = new DownloadPace();
  const ended = downloadObject({
    s3: options.s3,
    bucket: target.bucket,
    key: target.key,
    file,
    maxBytes: options.maxBytes,
    signal: options.signal,
    pace,
    onBytes: (bytes, announced) => {
      bytesSoFar = bytes;
      total = announced ?? total;
      options.onBytes(bytes, announced);
    },
  }).then(
    (result) => {
      finished = true;
      ms = Date.now() - startedAt;
      return result;
    },
    (error: unknown) => {
      finished = true;
      failed.abort(error);
      throw error;
    },
  );
  // Handled where it is awaited; this keeps a failure while nobody awaits it from being "unhandled".
  ended.catch(() => {});
  return {
    file,
    ended,
    failed: failed.signal,
    get finished() {
      return finished;
    },
    get ms() {
      return ms;
    },
    get bytes() {
      return bytesSoFar;
    },
    get total() {
      return total;
    },
    pace,
  };
}
