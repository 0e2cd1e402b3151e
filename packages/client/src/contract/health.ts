import { Type } from 'typebox';

export const HealthSchema = Type.Object({ status: Type.Literal('ok') });
const CheckSchema = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Object({ s3: CheckSchema, sqs: CheckSchema }),
});
