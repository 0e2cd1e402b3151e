import type { Mp4Mode } from '../contract/common.ts';
import type { PresetName } from '../contract/job.ts';
import type { JobView } from '../contract/jobs.ts';
import type {
  CompleteUploadBody,
  CreateUploadBody,
  PartUrl,
  Upload,
  UploadParts,
} from '../contract/uploads.ts';
import { UploadPartError, UploadSourceError } from '../errors.ts';
import { sleep } from '../sleep.ts';
import { contentTypeOf } from './content-type.ts';
import { canNodePut, nodePut } from './node-put.ts';
import { ProgressMeter, type UploadProgress } from './progress.ts';
import { type OpenedSource, openSource, type UploadSource } from './source.ts';

/** Options of {@link MediaServerClient.upload}. Every field is optional. */
export interface UploadOptions {
  /** Name the job records. Default: the file's name (path or `File`), else `upload`. */
  filename?: string | undefined;
  /** Default: the Blob's type, else guessed from the file name. */
  contentType?: string | undefined;
  /** Bytes; required for a stream, ignored for a path or a Blob. */
  size?: number | undefined;
  /** Processing the job runs. Default: what fits the media (the worker decides). */
  presets?: PresetName[] | undefined;
  /** Called (signed) when the job ends. Default: none. */
  webhookUrl?: string | undefined;
  /**
   * With both `mp4` and `hls`: `'shared'` remuxes the top HLS rung, `'separate'` encodes the MP4 on its
   * own (better quality per byte, about twice the CPU). Default `'shared'`.
   */
  mp4?: Mp4Mode | undefined;
  /** Parts sent at the same time. Default 4. */
  concurrency?: number | undefined;
  /** Retries of a failed part (network error, 5xx, 429) before the upload fails. Default 3. */
  retries?: number | undefined;
  /**
   * Resume the interrupted multipart upload of this job id: only the parts the storage does not have
   * are sent. The source must be the same bytes.
   */
  resume?: string | undefined;
  /** Aborts the upload; the multipart upload is then aborted in the storage too (see `keepOnAbort`). */
  signal?: AbortSignal | undefined;
  /** Keep an aborted multipart upload so that it can be resumed later. Default false. */
  keepOnAbort?: boolean | undefined;
  /** Sent as `Idempotency-Key` when creating the upload. */
  idempotencyKey?: string | undefined;
  /** Called once the upload exists, before any byte is sent (e.g. to note its id for a resume). */
  onStart?: ((upload: { id: string; method: 'put' | 'multipart'; partCount: number }) => void) | undefined;
  /** Bytes, rate and ETA, at most every 100 ms and once at the end. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
}

/** What {@link MediaServerClient.upload} resolves to. */
export interface UploadResult {
  /** The job id. */
  id: string;
  /** The job after the upload completed (usually `queued`). */
  job: JobView;
  /** How the bytes went: one presigned PUT, or a multipart upload. */
  method: 'put' | 'multipart';
  /** Parts (or the single PUT) sent by this call. */
  partsUploaded: number;
  /** Parts already in the storage (resume). */
  partsSkipped: number;
}

/** The API operations an upload uses. */
export interface UploadApi {
  createUpload(
    body: CreateUploadBody,
    options: { idempotencyKey?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<Upload>;
  uploadParts(id: string, options: { signal?: AbortSignal | undefined }): Promise<UploadParts>;
  completeUpload(
    id: string,
    body: CompleteUploadBody,
    options: { signal?: AbortSignal | undefined },
  ): Promise<JobView>;
  abortUpload(id: string): Promise<void>;
  fetch: typeof fetch;
}

interface PartPlan {
  partNumber: number;
  start: number;
  size: number;
  url: string;
  headers: Record<string, string>;
}

const CHUNK_BYTES = 256 * 1024;

/** Picks single PUT or multipart, sends the parts in parallel with retries, completes, reports progress. */
export async function uploadSource(
  api: UploadApi,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const opened = await openSource(source, options);
  try {
    return await uploadOpened(api, opened, options);
  } finally {
    await opened.close();
  }
}

async function uploadOpened(
  api: UploadApi,
  opened: OpenedSource,
  options: UploadOptions,
): Promise<UploadResult> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const meter = new ProgressMeter(opened.size, options.onProgress);
  let upload: { id: string; method: 'put' | 'multipart' };
  let plan: PartPlan[];
  const done: Array<{ partNumber: number; etag: string }> = [];
  let skipped = 0;

  if (options.resume !== undefined) {
    const state = await api.uploadParts(options.resume, { signal });
    upload = { id: state.id, method: 'multipart' };
    checkResumeSize(state, opened.size);
    const fresh = new Map(state.parts.map((part) => [part.partNumber, part]));
    plan = [];
    for (let partNumber = 1; partNumber <= state.partCount; partNumber += 1) {
      const listedPart = state.uploadedParts.find((part) => part.partNumber === partNumber);
      const start = (partNumber - 1) * state.partSize;
      const size = Math.min(state.partSize, opened.size - start);
      if (listedPart !== undefined && listedPart.size === size) {
        done.push({ partNumber, etag: listedPart.etag });
        skipped += 1;
        continue;
      }
      const url = fresh.get(partNumber)?.url;
      if (url === undefined)
        throw new UploadPartError(partNumber, 0, { cause: new Error('no URL for a missing part') });
      plan.push({ partNumber, start, size, url, headers: {} });
    }
    meter.partsTotal = state.partCount;
  } else {
    const created = await api.createUpload(
      {
        filename: options.filename ?? opened.name,
        contentType: options.contentType ?? (opened.type || contentTypeOf(options.filename ?? opened.name)),
        size: opened.size,
        ...(options.presets === undefined ? {} : { presets: options.presets }),
        ...(options.webhookUrl === undefined ? {} : { webhookUrl: options.webhookUrl }),
        ...(options.mp4 === undefined ? {} : { mp4: options.mp4 }),
      },
      { idempotencyKey: options.idempotencyKey, signal },
    );
    upload = created;
    plan =
      created.method === 'put'
        ? [{ partNumber: 1, start: 0, size: opened.size, url: created.url, headers: created.headers }]
        : created.parts.map((part: PartUrl) => ({
            partNumber: part.partNumber,
            start: (part.partNumber - 1) * created.partSize,
            size: part.size,
            url: part.url,
            headers: {},
          }));
    meter.partsTotal = plan.length;
  }
  meter.id = upload.id;
  meter.partsDone = skipped;
  meter.loaded = opened.size - plan.reduce((sum, part) => sum + part.size, 0);
  options.onStart?.({ id: upload.id, method: upload.method, partCount: meter.partsTotal });
  meter.emit(true);

  try {
    const etags = await sendParts(api.fetch, opened, plan, meter, {
      concurrency: upload.method === 'put' ? 1 : Math.max(1, options.concurrency ?? 4),
      retries: options.retries ?? 3,
      signal,
    });
    done.push(...etags);
  } catch (error) {
    if (signal?.aborted && upload.method === 'multipart' && options.keepOnAbort !== true) {
      await api.abortUpload(upload.id).catch(() => {});
    }
    throw error;
  }
  done.sort((a, b) => a.partNumber - b.partNumber);
  const job = await api.completeUpload(upload.id, upload.method === 'put' ? {} : { parts: done }, { signal });
  meter.emit(true);
  return { id: upload.id, job, method: upload.method, partsUploaded: plan.length, partsSkipped: skipped };
}

function checkResumeSize(state: UploadParts, size: number): void {
  const fits = size > state.partSize * (state.partCount - 1) && size <= state.partSize * state.partCount;
  if (!fits) {
    throw new UploadSourceError(
      `the source has ${size} bytes, but upload ${state.id} was made for ${state.partCount} parts of ${state.partSize} bytes`,
      'SOURCE_UNREADABLE',
    );
  }
}

async function sendParts(
  fetchImpl: typeof fetch,
  source: OpenedSource,
  plan: PartPlan[],
  meter: ProgressMeter,
  options: { concurrency: number; retries: number; signal: AbortSignal | undefined },
): Promise<Array<{ partNumber: number; etag: string }>> {
  const results: Array<{ partNumber: number; etag: string }> = [];
  const queue = [...plan];
  // A stream is read in part order: each part's bytes are read (and kept for retries) before the next.
  let readChain: Promise<unknown> = Promise.resolve();
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  let position = 0;

  async function worker(): Promise<void> {
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      signal.throwIfAborted();
      let bytes: Uint8Array | undefined;
      if (source.read !== undefined) {
        const read = source.read;
        const { start, size } = part;
        const current = readChain.then(async () => {
          // Bytes of parts a resume skips are read and dropped, a bounded piece at a time.
          while (position < start)
            position += (await read(Math.min(start - position, 8 * 1024 * 1024))).length;
          position = start + size;
          return read(size);
        });
        readChain = current;
        bytes = await current;
      }
      const etag = await sendPartWithRetries(fetchImpl, source, part, bytes, meter, options.retries, signal);
      results.push({ partNumber: part.partNumber, etag });
      meter.partDone();
    }
  }

  const workers = Array.from({ length: Math.min(options.concurrency, plan.length) }, () =>
    worker().catch((error: unknown) => {
      stop.abort(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(workers);
  options.signal?.throwIfAborted();
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
  return results;
}

async function sendPartWithRetries(
  fetchImpl: typeof fetch,
  source: OpenedSource,
  part: PartPlan,
  bytes: Uint8Array | undefined,
  meter: ProgressMeter,
  retries: number,
  signal: AbortSignal,
): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    let sent = 0;
    const count = (n: number): void => {
      sent += n;
      meter.add(n);
    };
    try {
      const answer = await putPart(fetchImpl, source, part, bytes, count, signal);
      if (answer.status >= 200 && answer.status < 300) {
        if (sent < part.size) meter.add(part.size - sent);
        return answer.etag ?? '';
      }
      const retryable = answer.status >= 500 || answer.status === 429 || answer.status === 408;
      if (!retryable || attempt >= retries) throw new UploadPartError(part.partNumber, answer.status);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof UploadPartError) throw error;
      if (error instanceof UploadSourceError) throw error;
      if (attempt >= retries) throw new UploadPartError(part.partNumber, 0, { cause: error });
    }
    // A failed attempt's bytes are sent again: take them back out of the count.
    meter.add(-sent);
    await sleep(500 * 2 ** attempt, signal);
  }
}

/**
 * One PUT of a part. In Node through `node:http` from a chunk reader (bounded memory, progress inside a
 * part); elsewhere through `fetch` with the Blob or bytes as the body (progress when the part is done).
 */
async function putPart(
  fetchImpl: typeof fetch,
  source: OpenedSource,
  part: PartPlan,
  bytes: Uint8Array | undefined,
  count: (n: number) => void,
  signal: AbortSignal,
): Promise<{ status: number; etag: string | undefined }> {
  const blob = bytes === undefined ? source.blob?.slice(part.start, part.start + part.size) : undefined;
  const headers = { ...part.headers, 'content-length': String(part.size) };
  if (canNodePut(part.url)) {
    return nodePut(
      part.url,
      headers,
      async (write) => {
        // Two buffers in turn: one is read into while the other is on its way to the socket.
        const buffers = [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)];
        const inFlight: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
        for (let offset = 0, turn = 0; offset < part.size; turn = 1 - turn) {
          const length = Math.min(CHUNK_BYTES, part.size - offset);
          let chunk: Uint8Array;
          if (bytes !== undefined) chunk = bytes.subarray(offset, offset + length);
          else {
            await inFlight[turn];
            chunk = (buffers[turn] ?? new Uint8Array(CHUNK_BYTES)).subarray(0, length);
            if (source.readInto !== undefined) await source.readInto(chunk, part.start + offset);
            else if (blob !== undefined)
              chunk.set(new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()));
          }
          const sending = write(chunk);
          // Awaited later (or never, when an abort ends the loop first): not an unhandled rejection.
          sending.catch(() => {});
          inFlight[turn] = sending;
          offset += length;
          count(length);
        }
        await Promise.all(inFlight);
      },
      signal,
    );
  }
  const response = await fetchImpl(part.url, {
    method: 'PUT',
    headers,
    body: (blob ?? bytes ?? new Uint8Array(0)) as NonNullable<RequestInit['body']>,
    signal,
  });
  await response.arrayBuffer();
  return { status: response.status, etag: response.headers.get('etag') ?? undefined };
}
