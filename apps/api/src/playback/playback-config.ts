import { EnvVar, readEnv, readEnvironment } from '@media-server/jobs';
import { Type } from 'typebox';

type Env = Record<string, string | undefined>;

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

/** The playback variables. */
export const PlaybackEnvSchema = Type.Object({
  PLAYBACK_SECRET: Type.Optional(
    EnvVar.string({ check: (value) => value.length >= 32, expected: 'at least 32 characters', secret: true }),
  ),
  PLAYBACK_TTL_SECONDS: EnvVar.integer({ default: 3600, minimum: 60, maximum: 604800 }),
  PLAYBACK_BASE_URL: Type.Optional(
    EnvVar.string({ check: (value) => /^https?:\/\/[^/]/.test(value), expected: 'an http(s) URL' }),
  ),
});

/** Reads the playback settings, adding one message per bad value to `problems`. */
export function readPlaybackConfig(
  env: Env,
  mode: 'local' | 'aws' | undefined,
  problems: string[],
): PlaybackConfig {
  const { values, problems: found } = readEnvironment(env, PlaybackEnvSchema);
  problems.push(...found);
  // Only a missing secret falls back to the development one; a bad one is already a problem.
  const rawSecret = readEnv(env, 'PLAYBACK_SECRET');
  if (rawSecret === undefined && mode === 'aws') {
    problems.push(
      'PLAYBACK_SECRET is required against AWS: at least 32 random characters (e.g. openssl rand -hex 32)',
    );
  }
  const baseUrl = values.PLAYBACK_BASE_URL;
  return {
    secret: values.PLAYBACK_SECRET ?? rawSecret ?? DEV_PLAYBACK_SECRET,
    ttlSeconds: values.PLAYBACK_TTL_SECONDS,
    ...(baseUrl === undefined ? {} : { baseUrl: baseUrl.replace(/\/+$/, '') }),
  };
}
