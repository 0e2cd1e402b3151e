import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { verifyWebhookRequest, verifyWebhookSignature } from './webhook.ts';

const secret = 'whsec-test';
const sign = (body: string, t: number): string =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

describe('verifyWebhookSignature', () => {
  test('accepts the signed body within the tolerance only', async () => {
    const header = sign('{"a":1}', 1_700_000_000);
    const at = { nowSeconds: 1_700_000_010 };

    expect(await verifyWebhookSignature(secret, '{"a":1}', header, at)).toBe(true);
    expect(await verifyWebhookSignature(secret, new TextEncoder().encode('{"a":1}'), header, at)).toBe(true);
    expect(await verifyWebhookSignature('other', '{"a":1}', header, at)).toBe(false);
    expect(await verifyWebhookSignature(secret, '{"a":2}', header, at)).toBe(false);
    expect(await verifyWebhookSignature(secret, '{"a":1}', header, { nowSeconds: 1_700_009_999 })).toBe(
      false,
    );
    expect(await verifyWebhookSignature(secret, '{"a":1}', 'garbage')).toBe(false);
    expect(await verifyWebhookSignature(secret, '{"a":1}', undefined)).toBe(false);
  });

  test('verifyWebhookRequest reads a Node request body and verifies it', async () => {
    const body = '{"event":"job.succeeded","state":"succeeded"}';
    const now = Math.floor(Date.now() / 1000);
    const good = Object.assign(Readable.from([Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))]), {
      headers: { 'x-signature': sign(body, now) },
    });
    const bad = Object.assign(Readable.from([Buffer.from(body)]), {
      headers: { 'x-signature': sign('{}', now) },
    });

    expect(await verifyWebhookRequest(secret, good)).toBe(body);
    expect(await verifyWebhookRequest(secret, bad)).toBeUndefined();
  });
});
