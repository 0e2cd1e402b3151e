import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { newJobId } from './job-id.ts';
import type { JobStatus } from './schema.ts';
import { deliverWebhook, signWebhook, verifyWebhookSignature } from './webhook.ts';

const secret = 'test-secret';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function statusFixture(): JobStatus {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    jobId: newJobId(),
    state: 'succeeded',
    source: { bucket: 'media', key: 'uploads/x/y.mp4' },
    attempts: 1,
    outputs: [],
    timings: {},
    createdAt: now,
    updatedAt: now,
  };
}

/** A receiver on loopback that answers with the given status codes in turn and records what it got. */
async function startReceiver(
  codes: number[],
): Promise<{ url: string; requests: Array<{ headers: IncomingMessage['headers']; body: string }> }> {
  const requests: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    requests.push({ headers: request.headers, body });
    response.statusCode = codes[Math.min(requests.length - 1, codes.length - 1)] ?? 200;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

describe('webhook signatures', () => {
  test('a signature verifies with the same secret and body only', () => {
    const header = signWebhook(secret, '{"a":1}', 1_700_000_000);

    expect(verifyWebhookSignature(secret, '{"a":1}', header, { nowSeconds: 1_700_000_010 })).toBe(true);
    expect(verifyWebhookSignature('other', '{"a":1}', header, { nowSeconds: 1_700_000_010 })).toBe(false);
    expect(verifyWebhookSignature(secret, '{"a":2}', header, { nowSeconds: 1_700_000_010 })).toBe(false);
    expect(verifyWebhookSignature(secret, '{"a":1}', header, { nowSeconds: 1_700_009_999 })).toBe(false);
    expect(verifyWebhookSignature(secret, '{"a":1}', 'garbage')).toBe(false);
  });
});

describe('webhook delivery', () => {
  test('retries 5xx with backoff until the receiver accepts, and signs every attempt', async () => {
    const receiver = await startReceiver([503, 500, 204]);
    const recorded: boolean[] = [];

    const deliveries = await deliverWebhook({
      url: receiver.url,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      baseDelayMs: 5,
      onAttempt: (delivery) => {
        recorded.push(delivery.ok);
      },
    });

    expect(deliveries.map((delivery) => delivery.statusCode)).toEqual([503, 500, 204]);
    expect(recorded).toEqual([false, false, true]);
    for (const request of receiver.requests) {
      expect(verifyWebhookSignature(secret, request.body, String(request.headers['x-signature']))).toBe(true);
      expect(JSON.parse(request.body)).toMatchObject({ event: 'job.succeeded', state: 'succeeded' });
    }
  });

  test('does not retry a 4xx answer, and reports an unreachable receiver without throwing', async () => {
    const receiver = await startReceiver([410]);

    const refused = await deliverWebhook({
      url: receiver.url,
      secret,
      event: 'job.failed',
      status: statusFixture(),
      baseDelayMs: 1,
    });
    const unreachable = await deliverWebhook({
      url: 'http://127.0.0.1:1/nothing',
      secret,
      event: 'job.failed',
      status: statusFixture(),
      maxAttempts: 2,
      baseDelayMs: 1,
    });

    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ ok: false, statusCode: 410 });
    expect(unreachable).toHaveLength(2);
    expect(unreachable.every((delivery) => !delivery.ok && delivery.error !== undefined)).toBe(true);
  });
});
