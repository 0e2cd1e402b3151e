import { Type } from 'typebox';

/** TypeBox schema of the answer of `GET /healthz`: `status: 'ok'` while the process answers. */
export const HealthSchema = Type.Object({ status: Type.Literal('ok') });
const CheckSchema = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
/**
 * TypeBox schema of the answer of `GET /readyz` (200 `ready` or 503 `unready`) with the result of the S3 and
 * SQS checks.
 */
export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Object({ s3: CheckSchema, sqs: CheckSchema }),
});
