// @ts-check
import { ApiError, createClient } from '/vendor/media-server-client/index.js';

/**
 * The page's API calls: @media-server/client (its browser build, served by the API) for jobs, events,
 * playback and uploads, plus the two calls it does not cover: the page's own configuration and the
 * signing route of Uppy's aws-s3 plugin. Every failed answer is the client's `ApiError`.
 */

export { ApiError };

/**
 * @typedef {import('@media-server/client').MediaServerClient & {
 *   uppySignRequest: (request: UppySignRequest) => Promise<{ url: string, key: string, jobId: string }>,
 * }} PageApi
 * @typedef {{ method: string, key: string, uploadId?: string, partNumber?: number, filename?: string, type?: string, size?: number }} UppySignRequest
 */

/** @param {Response} response */
async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** @param {string} path @param {RequestInit} [init] */
async function fetchJson(path, init) {
  const response = await fetch(path, init);
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
  return response.json();
}

/** What the page must know before asking for a key (`{ devKey }` in local mode). */
export async function getPageConfig() {
  return /** @type {Promise<{ devKey?: string, multipartThresholdBytes: number }>} */ (
    fetchJson('/web/config.json')
  );
}

/**
 * The client for one key, on this page's origin.
 * @param {{ apiKey: string }} options
 * @returns {PageApi}
 */
export function createPageApi({ apiKey }) {
  const client = createClient({ baseUrl: location.origin, apiKey });
  return {
    ...client,
    /**
     * Presigns one S3 request of Uppy's aws-s3 plugin (`POST /s3/sign`): `{ url, key, jobId }`. A request
     * without `uploadId` starts a new upload (a new job) and needs the file's name, type and size.
     */
    uppySignRequest: (request) =>
      fetchJson('/s3/sign', {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(request),
      }),
  };
}
