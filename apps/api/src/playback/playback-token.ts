import { createHmac, timingSafeEqual } from 'node:crypto';
import { isJobId } from '@media-server/jobs';
import { PlaybackForbiddenError } from './playback-error.ts';

/** What a playback token grants: reading the playlists and outputs of one job until `expiresAt`. */
export interface PlaybackGrant {
  jobId: string;
  /** Unix time in seconds after which the token is refused. */
  expiresAt: number;
}

// Versioned and domain-separated, so an HMAC made for something else with the same secret never verifies.
const CONTEXT = 'media-server playback v1';

function mac(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${CONTEXT}\n${payload}`).digest();
}

/**
 * A URL-safe token: `base64url(jobId.expiresAt)` `.` `base64url(HMAC-SHA256)`.
 *
 * @example
 * ```ts
 * const token = signPlaybackToken({ jobId, expiresAt: Math.floor(Date.now() / 1000) + 3600 }, secret);
 * verifyPlaybackToken(token, secret).jobId === jobId; // true
 * ```
 */
export function signPlaybackToken(grant: PlaybackGrant, secret: string): string {
  const payload = `${grant.jobId}.${grant.expiresAt}`;
  return `${Buffer.from(payload).toString('base64url')}.${mac(payload, secret).toString('base64url')}`;
}

/**
 * The grant of a token; throws {@link PlaybackForbiddenError} when it is malformed, its signature does
 * not match (tampered, or another secret) or it has expired.
 */
export function verifyPlaybackToken(
  token: string,
  secret: string,
  nowMs: number = Date.now(),
): PlaybackGrant {
  const invalid = (): PlaybackForbiddenError =>
    new PlaybackForbiddenError('PLAYBACK_TOKEN_INVALID', 'the playback token is not valid');
  const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match?.[1] === undefined || match[2] === undefined) throw invalid();
  const payload = Buffer.from(match[1], 'base64url').toString('utf8');
  // Compare whole canonical tokens: base64url has several spellings of the same bytes.
  const given = Buffer.from(token);
  const expected = Buffer.from(
    `${Buffer.from(payload).toString('base64url')}.${mac(payload, secret).toString('base64url')}`,
  );
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const parts = /^([^.]+)\.(\d{1,12})$/.exec(payload);
  if (parts?.[1] === undefined || parts[2] === undefined || !isJobId(parts[1])) throw invalid();
  const expiresAt = Number(parts[2]);
  if (expiresAt * 1000 <= nowMs) {
    throw new PlaybackForbiddenError('PLAYBACK_TOKEN_EXPIRED', 'the playback token has expired');
  }
  return { jobId: parts[1], expiresAt };
}
