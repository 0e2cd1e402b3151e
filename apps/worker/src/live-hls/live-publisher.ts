import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { outputsPrefix } from '@media-server/jobs';
import type { PlannedRung } from '@media-server/media-pipeline';
import type { Logger } from 'pino';
import { uploadFile } from '../s3-transfer.ts';
import { checkSegment, LiveSegmentError } from './check-segment.ts';
import { eventPlaylist, liveMasterPlaylist, type PublishedSegment } from './live-playlists.ts';
import { type FinishedSegment, SegmentWatcher } from './segment-watcher.ts';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

/** What the job's status gets once every rung has its first segment. */
export interface LivePlayable {
  attempt: string;
  masterKey: string;
}

/** Options of {@link LivePublisher}. */
export interface LivePublisherOptions {
  s3: S3Client;
  bucket: string;
  jobId: string;
  /** The directory the ffmpeg run writes the ladder into (`<rung>.m3u8`, segments, init segments). */
  dir: string;
  /** A directory of the job for the probe's scratch files (not `dir`: the ladder must hold only its own). */
  scratchDir: string;
  rungs: readonly PlannedRung[];
  hasAudio: boolean;
  fps: number | undefined;
  /** The ladder's segment length: the least `EXT-X-TARGETDURATION` of the live playlists. */
  segmentSeconds: number;
  /** Called once, after the master playlist is stored; its promise is awaited (write the status there). */
  onPlayable: (playable: LivePlayable) => Promise<void>;
  signal: AbortSignal;
  log: Logger;
  /** Poll interval of the watcher. Default 300 ms. */
  intervalMs?: number | undefined;
}

/**
 * Publishes an HLS ladder while ffmpeg writes it: each finished segment is checked
 * ({@link checkSegment}), stored, and appended to its rung's `EVENT` playlist; the master playlist
 * is stored once every rung has a segment, then `onPlayable` runs.
 *
 * Every attempt of a job publishes under its own prefix `outputs/<jobId>/hls-<attempt>/` (random
 * attempt id): a retry on another worker never stores other bytes under a URI a player already
 * fetched, and the status's `live.masterKey` says which attempt the playback route serves. The
 * stored VOD playlists (the job's normal store step, same keys) end the live ones when the job succeeds.
 */
export class LivePublisher {
  readonly attempt: string = randomBytes(6).toString('hex');
  readonly prefix: string;
  readonly #options: LivePublisherOptions;
  readonly #watcher: SegmentWatcher;
  readonly #segments = new Map<string, PublishedSegment[]>();
  readonly #targetDuration = new Map<string, number>();
  readonly #stored = new Set<string>();
  /** sha256 of each init segment as stored: ffmpeg must not rewrite one afterwards. */
  readonly #initDigests = new Map<string, string>();
  readonly #abort = new AbortController();
  #playableAt: number | undefined;

  constructor(options: LivePublisherOptions) {
    this.#options = options;
    this.prefix = `${outputsPrefix(options.jobId)}hls-${this.attempt}/`;
    this.#watcher = new SegmentWatcher({
      dir: options.dir,
      rungs: options.rungs.map((r) => r.name),
      intervalMs: options.intervalMs,
      onSegment: (segment) => this.#publish(segment),
    });
    this.#watcher.failed.catch((error: unknown) => this.#abort.abort(error));
  }

  /** Aborted when publishing fails: stop the ffmpeg run with it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The error that stopped publishing, if any. */
  get error(): unknown {
    return this.#watcher.error;
  }

  /** Local files already stored (segments, init segments): the store step skips them. */
  get stored(): ReadonlySet<string> {
    return this.#stored;
  }

  /** Milliseconds since the epoch at which the ladder became playable. */
  get playableAt(): number | undefined {
    return this.#playableAt;
  }

  async start(): Promise<void> {
    await mkdir(this.#options.scratchDir, { recursive: true });
    this.#watcher.start();
  }

  /** After a clean ffmpeg exit: publishes the segments listed by now; throws when one was refused. */
  async finish(): Promise<void> {
    await this.#watcher.stop({ flush: true });
    for (const [name, digest] of this.#initDigests) {
      if ((await sha256(join(this.#options.dir, name))) !== digest) {
        throw new LiveSegmentError(`HLS init segment ${name} changed after it was published`);
      }
    }
  }

  /** After a failed run: stops watching, publishes nothing more. */
  async stop(): Promise<void> {
    await this.#watcher.stop({ flush: false });
  }

  async #publish(segment: FinishedSegment): Promise<void> {
    const o = this.#options;
    const rung = o.rungs.find((r) => r.name === segment.rung);
    if (rung === undefined) throw new Error(`unknown HLS rung ${segment.rung}`);
    await checkSegment(segment, rung, {
      dir: o.dir,
      scratchDir: o.scratchDir,
      hasAudio: o.hasAudio,
      signal: o.signal,
    });
    const published = this.#segments.get(segment.rung) ?? [];
    if (published.length === 0 && segment.initUri !== undefined) {
      this.#initDigests.set(segment.initUri, await sha256(join(o.dir, segment.initUri)));
      await this.#storeFile(segment.initUri, 'video/mp4');
    }
    await this.#storeFile(segment.uri, segment.initUri === undefined ? 'video/mp2t' : 'video/iso.segment');
    published.push({ uri: segment.uri, duration: segment.duration });
    this.#segments.set(segment.rung, published);
    // TARGETDURATION must not change while the playlist lives: the largest of the nominal and ffmpeg's.
    const target = Math.max(
      this.#targetDuration.get(segment.rung) ?? Math.ceil(o.segmentSeconds),
      segment.targetDuration ?? 0,
      Math.round(segment.duration),
    );
    this.#targetDuration.set(segment.rung, target);
    await this.#storeText(
      `${segment.rung}.m3u8`,
      eventPlaylist(published, { initUri: segment.initUri, targetDuration: target }),
    );
    if (
      this.#playableAt === undefined &&
      o.rungs.every((r) => (this.#segments.get(r.name)?.length ?? 0) > 0)
    ) {
      const fmp4 = segment.initUri !== undefined;
      await this.#storeText(
        'master.m3u8',
        liveMasterPlaylist(o.rungs, { hasAudio: o.hasAudio, fps: o.fps, fmp4 }),
      );
      this.#playableAt = Date.now();
      await o.onPlayable({ attempt: this.attempt, masterKey: `${this.prefix}master.m3u8` });
      o.log.info({ attempt: this.attempt }, 'HLS ladder playable while it is encoded');
    }
  }

  async #storeFile(name: string, contentType: string): Promise<void> {
    const file = join(this.#options.dir, name);
    await uploadFile({
      s3: this.#options.s3,
      bucket: this.#options.bucket,
      key: `${this.prefix}${name}`,
      file,
      contentType,
      signal: this.#options.signal,
    });
    this.#stored.add(file);
  }

  async #storeText(name: string, text: string): Promise<void> {
    await this.#options.s3.send(
      new PutObjectCommand({
        Bucket: this.#options.bucket,
        Key: `${this.prefix}${name}`,
        Body: text,
        ContentType: PLAYLIST_TYPE,
      }),
      { abortSignal: this.#options.signal },
    );
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
