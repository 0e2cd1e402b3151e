// @ts-check
/**
 * Every call the page makes to the API, in one module. The method names are those of the typed client
 * (`createApiClient` in apps/api/src/client), so the page can switch to that package with little change.
 */

/** A non-2xx answer; `problem` holds the RFC 9457 body when there is one. */
export class ApiClientError extends Error {
  /**
   * @param {number} status
   * @param {{ title?: string, detail?: string, code?: string } | undefined} problem
   */
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiClientError';
    this.status = status;
    this.problem = problem;
  }
}

/** @param {Response} response */
async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** What the page must know before asking for a key (`{ devKey }` in local mode). */
export async function getPageConfig() {
  const response = await fetch('/web/config.json');
  if (!response.ok) throw new ApiClientError(response.status, await readProblem(response));
  return /** @type {{ devKey?: string, multipartThresholdBytes: number }} */ (await response.json());
}

/**
 * The API for one key, on this page's origin.
 * @param {{ apiKey: string, baseUrl?: string }} options
 */
export function createApiClient({ apiKey, baseUrl = '' }) {
  const authorization = `Bearer ${apiKey}`;
  const id = encodeURIComponent;

  /**
   * @param {string} method
   * @param {string} path
   * @param {{ query?: Record<string, string | number | undefined>, body?: unknown, signal?: AbortSignal }} [init]
   */
  async function call(method, path, init = {}) {
    const url = new URL(baseUrl + path, location.origin);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    /** @type {Record<string, string>} */
    const headers = { authorization };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
    if (!response.ok) throw new ApiClientError(response.status, await readProblem(response));
    if (response.status === 204) return undefined;
    return response.json();
  }

  return {
    /** @param {{ limit?: number, cursor?: string }} [query] */
    listJobs: (query = {}) => call('GET', '/v1/jobs', { query }),
    /** @param {string} jobId */
    getJob: (jobId) => call('GET', `/v1/jobs/${id(jobId)}`),
    /** @param {string} jobId */
    deleteJob: (jobId) => call('DELETE', `/v1/jobs/${id(jobId)}`),
    /**
     * Signed playback links: `{ hls, mp4, poster, storyboard: { vtt, images }, expiresAt }` (409 until the job succeeded).
     * @param {string} jobId
     */
    getPlayback: (jobId) => call('GET', `/v1/jobs/${id(jobId)}/playback`),
    /**
     * Presigns one S3 request of Uppy's aws-s3 plugin (`POST /s3/sign`): `{ url, key, jobId }`. A request
     * without `uploadId` starts a new upload (a new job) and needs the file's name, type and size.
     * @param {{ method: string, key: string, uploadId?: string, partNumber?: number, filename?: string, type?: string, size?: number }} request
     */
    uppySignRequest: (request) => call('POST', '/s3/sign', { body: request }),
    /**
     * The job's events (`state`, `progress`, `end`) as they come, over a fetch stream (EventSource cannot
     * send the key).
     * @param {string} jobId
     * @param {{ signal?: AbortSignal }} [options]
     * @returns {AsyncGenerator<{ event: string, data: any }>}
     */
    async *jobEvents(jobId, options = {}) {
      const response = await fetch(`${baseUrl}/v1/jobs/${id(jobId)}/events`, {
        headers: { authorization, accept: 'text/event-stream' },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (!response.ok || response.body === null) {
        throw new ApiClientError(response.status, await readProblem(response));
      }
      yield* parseEventStream(response.body);
    },
  };
}

/** @typedef {ReturnType<typeof createApiClient>} ApiClient */

/**
 * Parses a `text/event-stream` body into events (comments skipped). Reads with a reader, as Safari
 * cannot iterate a ReadableStream.
 * @param {ReadableStream<Uint8Array>} body
 */
export async function* parseEventStream(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        let event = 'message';
        /** @type {string[]} */
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) };
      }
    }
  } finally {
    reader.releaseLock();
  }
}
