import { Type } from 'typebox';
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
