import { type Static, Type } from 'typebox';
import { JOB_ID_PATTERN } from './names.ts';

/**
 * The parts of a job the API shows its clients. The worker writes them into `status.json`
 * (`@media-server/jobs` builds its documents from these), the API validates and documents them with them.
 */

export { JOB_ID_PATTERN, PRESET_NAMES, TERMINAL_STATES } from './names.ts';

/** TypeBox schema of a job id: 26 lowercase Crockford base32 characters ({@link JOB_ID_PATTERN}). */
export const JobIdSchema = Type.String({ pattern: JOB_ID_PATTERN, description: 'Job id (26 characters)' });

/** The processing a job asks for. The worker picks what fits the media when a job names none. */
export const PresetNameSchema = Type.Union(
  [
    Type.Literal('mp4'),
    Type.Literal('hls'),
    Type.Literal('poster'),
    Type.Literal('sprite'),
    Type.Literal('image'),
    Type.Literal('audio'),
  ],
  {
    description:
      'mp4: H.264/AAC MP4; hls: adaptive ladder; poster: one frame; sprite: thumbnail grid + WebVTT; image: resized variants; audio: AAC + waveform peaks',
  },
);
/** A preset name: `mp4`, `hls`, `poster`, `sprite`, `image` or `audio` (see {@link PRESET_NAMES}). */
export type PresetName = Static<typeof PresetNameSchema>;

/** TypeBox schema of {@link JobState}: where a job is. */
export const JobStateSchema = Type.Union([
  Type.Literal('awaiting_upload'),
  Type.Literal('queued'),
  Type.Literal('processing'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
/**
 * Where a job is: `awaiting_upload` → `queued` → `processing` → `succeeded` or `failed` (the terminal
 * states, {@link TERMINAL_STATES}).
 */
export type JobState = Static<typeof JobStateSchema>;

/** TypeBox schema of {@link JobOutput}: one file a job produced. */
export const JobOutputSchema = Type.Object({
  preset: PresetNameSchema,
  /** What the file is: mp4, hls-master, hls-playlist, hls-segment, poster, sprite, vtt, image, audio, peaks. */
  kind: Type.String(),
  key: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  durationSeconds: Type.Optional(Type.Number()),
});
/** One file a job produced (its storage key, type, size and, for media, dimensions and duration). */
export type JobOutput = Static<typeof JobOutputSchema>;

/** TypeBox schema of {@link JobError}: why a job failed. */
export const JobErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** True when retrying cannot help (bad or hostile media, exhausted retries). */
  permanent: Type.Boolean(),
});
/** Why a job failed: a code, a message, and whether retrying could help. */
export type JobError = Static<typeof JobErrorSchema>;

/** TypeBox schema of {@link WebhookDelivery}: one attempt to deliver a webhook of the job. */
export const WebhookDeliverySchema = Type.Object({
  event: Type.String(),
  attempt: Type.Integer({ minimum: 1 }),
  at: Type.String({ format: 'date-time' }),
  ok: Type.Boolean(),
  statusCode: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
});
/** One attempt to deliver a webhook of the job. */
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

/** TypeBox schema of {@link JobProgress}: how far a processing job is. */
export const JobProgressSchema = Type.Object({
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  stage: Type.String({
    description:
      'downloading, probing, transcoding, uploading; `done` (with percent 100) only once the job succeeded',
  }),
  preset: Type.Optional(PresetNameSchema),
  etaSeconds: Type.Optional(Type.Number()),
  fps: Type.Optional(Type.Number()),
  speed: Type.Optional(Type.Number()),
});
/** How far a processing job is: percent, stage, and the encoder's speed and ETA when known. */
export type JobProgress = Static<typeof JobProgressSchema>;

/** TypeBox schema of {@link JobTimings}: when a job was queued, started and finished. */
export const JobTimingsSchema = Type.Object({
  queuedAt: Type.Optional(Type.String({ format: 'date-time' })),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  downloadMs: Type.Optional(Type.Number()),
  processMs: Type.Optional(Type.Number()),
  uploadMs: Type.Optional(Type.Number()),
});
/** When a job was queued, started and finished, and how long each phase took (ms). */
export type JobTimings = Static<typeof JobTimingsSchema>;
