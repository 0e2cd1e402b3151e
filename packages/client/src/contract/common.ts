import { type Static, Type } from 'typebox';
import { PresetNameSchema } from './job.ts';

export const ContentTypeSchema = Type.String({
  minLength: 3,
  maxLength: 255,
  pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$',
  description: 'MIME type of the file, e.g. video/mp4',
});
export const WebhookUrlSchema = Type.String({
  format: 'uri',
  pattern: '^https?://',
  maxLength: 2048,
  description:
    'Receives a signed POST on every state change (see the README: X-Signature, HMAC-SHA256 over timestamp and body)',
});
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
export const SizeSchema = Type.Integer({ minimum: 0, maximum: 5 * 1024 ** 4, description: 'Bytes' });

export const IdempotencyHeaderSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Same key and same body: the first answer again; same key, other body: 422',
    }),
  ),
});
