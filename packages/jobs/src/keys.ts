import { isJobId } from './job-id.ts';

/** Where uploads land; the bucket notification is filtered to this prefix. */
export const UPLOADS_PREFIX = 'uploads/';
/** Where the job documents live: `jobs/<jobId>/spec.json` and `jobs/<jobId>/status.json`. */
export const JOBS_PREFIX = 'jobs/';
/** Where the worker stores outputs: `outputs/<jobId>/<preset>/<file>`. */
export const OUTPUTS_PREFIX = 'outputs/';

export function specKey(jobId: string): string {
  return `${JOBS_PREFIX}${jobId}/spec.json`;
}

export function statusKey(jobId: string): string {
  return `${JOBS_PREFIX}${jobId}/status.json`;
}

export function outputsPrefix(jobId: string): string {
  return `${OUTPUTS_PREFIX}${jobId}/`;
}

export function uploadsPrefix(jobId: string): string {
  return `${UPLOADS_PREFIX}${jobId}/`;
}

export function uploadKey(jobId: string, filename: string): string {
  return `${uploadsPrefix(jobId)}${safeFileName(filename)}`;
}

/** The job id in a key of the form `uploads/<jobId>/<file>`, or undefined for any other key. */
export function jobIdFromUploadKey(key: string): string | undefined {
  if (!key.startsWith(UPLOADS_PREFIX)) return undefined;
  const [jobId, ...rest] = key.slice(UPLOADS_PREFIX.length).split('/');
  if (jobId === undefined || rest.length !== 1 || rest[0] === '' || !isJobId(jobId)) return undefined;
  return jobId;
}

const MAX_NAME_BYTES = 200;

/**
 * A file name that is safe as the last segment of an S3 key: NFC, no path separators, no control
 * characters, no leading dots, at most 200 UTF-8 bytes (the extension is kept when it is cut).
 * Spaces, quotes and non-Latin letters are kept: they are legal in keys and the worker handles them.
 */
export function safeFileName(name: string): string {
  let clean = name
    .normalize('NFC')
    .replace(/[\\/]/g, '_')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/^[.\s]+/, '')
    .trim();
  if (clean === '') clean = 'file';
  if (Buffer.byteLength(clean) <= MAX_NAME_BYTES) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  let stem = clean.slice(0, clean.length - extension.length);
  while (Buffer.byteLength(stem + extension) > MAX_NAME_BYTES) stem = Array.from(stem).slice(0, -1).join('');
  return stem + extension;
}
