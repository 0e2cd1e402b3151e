import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AppContext } from '../context.ts';
import { isAbsoluteUri, pathBelowJob, resolveOutputKey } from './output-key.ts';
import type { PlaybackGrant } from './playback-token.ts';
import type { UriMapper } from './rewrite-playlist.ts';

/** Files the API serves itself (rewritten) under `/play/<token>/…`; everything else is fetched from S3. */
export function isServedByApi(key: string): boolean {
  return key.endsWith('.m3u8') || key.endsWith('.vtt');
}

/**
 * The URLs of one job's outputs under one playback grant: API URLs (`/play/<token>/…`) for playlists
 * and storyboards, and for media either presigned S3 GETs that expire with the token or, with
 * `PLAYBACK_BASE_URL`, CDN URLs.
 */
export class PlaybackLinks {
  readonly #ctx: AppContext;
  readonly #grant: PlaybackGrant;
  readonly #token: string;
  readonly #apiBase: string;

  /** `apiBase`: the API's public origin, e.g. `https://api.example.com`. */
  constructor(ctx: AppContext, grant: PlaybackGrant, token: string, apiBase: string) {
    this.#ctx = ctx;
    this.#grant = grant;
    this.#token = token;
    this.#apiBase = apiBase;
  }

  /** Seconds the grant has left (at least 1). */
  secondsLeft(nowMs: number = Date.now()): number {
    return Math.max(1, Math.floor(this.#grant.expiresAt - nowMs / 1000));
  }

  /** The signed API URL of a playlist or storyboard key of the job. */
  playUrl(key: string): string {
    return `${this.#apiBase}/play/${this.#token}/${pathBelowJob(this.#grant.jobId, key)}`;
  }

  /** A URL a player can GET a media object of the job at, valid no longer than the token. */
  async objectUrl(key: string): Promise<string> {
    const base = this.#ctx.config.playback.baseUrl;
    if (base !== undefined) return `${base}/${this.#grant.jobId}/${pathBelowJob(this.#grant.jobId, key)}`;
    return getSignedUrl(this.#ctx.presigner, new GetObjectCommand({ Bucket: this.#ctx.bucket, Key: key }), {
      expiresIn: this.secondsLeft(),
    });
  }

  /** The URL for a key: the API for playlists and storyboards, S3 or the CDN for the rest. */
  async urlOf(key: string): Promise<string> {
    return isServedByApi(key) ? this.playUrl(key) : this.objectUrl(key);
  }

  /**
   * A synchronous mapper for `uris`, found in the file at `fromKey` (the rewrite functions are pure, so
   * the URLs are made first). Throws PlaybackForbiddenError when one resolves outside the job's outputs.
   */
  async mapperFor(fromKey: string, uris: readonly string[]): Promise<UriMapper> {
    const urls = new Map<string, string>();
    for (const uri of uris) {
      if (urls.has(uri) || isAbsoluteUri(uri)) continue;
      urls.set(uri, await this.urlOf(resolveOutputKey(this.#grant.jobId, fromKey, uri)));
    }
    return (uri) => urls.get(uri) ?? uri;
  }
}
