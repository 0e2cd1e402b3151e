import { posix } from 'node:path';
import { outputsPrefix } from '@media-server/jobs';
import { PlaybackForbiddenError } from './playback-error.ts';

/** True for a URI with a scheme (`https:`, `data:`…): it names no key of the bucket. */
export function isAbsoluteUri(uri: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri);
}

/**
 * The S3 key a relative URI of a playlist (or storyboard) at `fromKey` names, resolved as a player
 * resolves it. Throws {@link PlaybackForbiddenError} when it resolves outside `outputs/<jobId>/`
 * (`..` segments, a root-relative path, an encoded slash...).
 */
export function resolveOutputKey(jobId: string, fromKey: string, uri: string): string {
  const prefix = outputsPrefix(jobId);
  const outside = (): PlaybackForbiddenError =>
    new PlaybackForbiddenError(
      'PLAYBACK_KEY_OUTSIDE_JOB',
      `"${uri.slice(0, 200)}" in ${fromKey} is outside the job's outputs`,
    );
  const path = uri.replace(/[?#].*$/s, '');
  if (path === '' || path.startsWith('/') || path.includes('\\')) throw outside();
  let segments: string[];
  try {
    segments = path.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    throw outside();
  }
  if (segments.some((segment) => segment.includes('/') || segment.includes('\0'))) throw outside();
  const key = posix.normalize(posix.join(posix.dirname(fromKey), ...segments));
  if (!key.startsWith(prefix) || key.length === prefix.length) throw outside();
  return key;
}

/** The key's path below `outputs/<jobId>/`, each segment percent-encoded for a URL. */
export function pathBelowJob(jobId: string, key: string): string {
  return key
    .slice(outputsPrefix(jobId).length)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
