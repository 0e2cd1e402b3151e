import { type Static, Type } from 'typebox';
import { PresetNameSchema } from './job.ts';

/** TypeBox schema of a file's MIME type (`type/subtype`, 3–255 characters), e.g. `video/mp4`. */
export const ContentTypeSchema = Type.String({
  minLength: 3,
  maxLength: 255,
  pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$',
  description: 'MIME type of the file, e.g. video/mp4',
});
/**
 * TypeBox schema of a job's `webhookUrl`: an http(s) URL of at most 2048 characters that gets a signed POST
 * on every state change.
 */
export const WebhookUrlSchema = Type.String({
  format: 'uri',
  pattern: '^https?://',
  maxLength: 2048,
  description:
    'Receives a signed POST on every state change (see the README: X-Signature, HMAC-SHA256 over timestamp and body)',
});
/**
 * TypeBox schema of a new job's `presets`: 1 to 6 distinct {@link PresetName}s (omitted: the worker picks
 * what fits the media).
 */
export const PresetsSchema = Type.Array(PresetNameSchema, {
  uniqueItems: true,
  minItems: 1,
  maxItems: 6,
  description: 'Processing to run; omitted: the worker picks what fits the media',
});
/** `'shared' | 'separate'`: how a video job with both `mp4` and `hls` makes its MP4 ({@link Mp4Mode}). */
export const Mp4ModeSchema = Type.Union([Type.Literal('shared'), Type.Literal('separate')], {
  description:
    "How a video job with both mp4 and hls makes its MP4: 'shared' (default) remuxes the top HLS rung from the same encode; 'separate' is its own x264 medium CRF 23 encode (better quality per byte, about twice the CPU)",
});
/** How a video job with both `mp4` and `hls` makes its MP4 (see {@link Mp4ModeSchema}). */
export type Mp4Mode = Static<typeof Mp4ModeSchema>;
/** TypeBox schema of a file size in bytes: an integer from 0 to 5 TiB. */
export const SizeSchema = Type.Integer({ minimum: 0, maximum: 5 * 1024 ** 4, description: 'Bytes' });

/**
 * TypeBox schema of the optional `Idempotency-Key` header of the creating POSTs: the same key with the same
 * body gets the first answer again, with another body a 422.
 */
export const IdempotencyHeaderSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Same key and same body: the first answer again; same key, other body: 422',
    }),
  ),
});
