import type { EnvReader } from '@media-server/jobs';

/** The secret playback tokens are signed with in local mode when `PLAYBACK_SECRET` is not set. */
export const DEV_PLAYBACK_SECRET = 'dev-playback-secret-not-for-production';

/** How playback links are made. */
export interface PlaybackConfig {
  /** HMAC secret of playback tokens (`PLAYBACK_SECRET`, at least 32 characters; required against AWS). */
  secret: string;
  /** Lifetime of a playback token and of every URL in its playlists (`PLAYBACK_TTL_SECONDS`). Default 3600 s. */
  ttlSeconds: number;
  /**
   * A CDN (or any public origin) serving the bucket's `outputs/` prefix (`PLAYBACK_BASE_URL`): playlists
   * then name `<base>/<jobId>/<path>` instead of presigned S3 URLs. Default: presign.
   */
  baseUrl?: string | undefined;
}

/** Reads the playback settings, adding one message per bad value to the reader's problems. */
export function readPlaybackConfig(reader: EnvReader, mode: 'local' | 'aws' | undefined): PlaybackConfig {
  const ttlSeconds = reader.integer('PLAYBACK_TTL_SECONDS', 3600, 60, 604800);
  let secret = reader.string('PLAYBACK_SECRET');
  if (secret === undefined) {
    if (mode === 'aws') {
      reader.problems.push(
        'PLAYBACK_SECRET is required against AWS: at least 32 random characters (e.g. openssl rand -hex 32)',
      );
    }
    secret = DEV_PLAYBACK_SECRET;
  } else if (secret.length < 32) {
    reader.problems.push(`PLAYBACK_SECRET must be at least 32 characters, got ${secret.length}`);
  }
  const baseUrl = reader.string('PLAYBACK_BASE_URL');
  if (baseUrl !== undefined && !/^https?:\/\/[^/]/.test(baseUrl)) {
    reader.problems.push(`PLAYBACK_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  }
  return { secret, ttlSeconds, ...(baseUrl === undefined ? {} : { baseUrl: baseUrl.replace(/\/+$/, '') }) };
}
