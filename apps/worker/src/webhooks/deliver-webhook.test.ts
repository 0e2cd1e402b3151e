import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@media-server/client';
import { type JobStatus, newJobId } from '@media-server/jobs';
import { afterEach, describe, expect, test } from 'vitest';
import { deliverWebhook, signWebhook } from './deliver-webhook.ts';
import { isPrivateAddress, webhookDestinationProblem } from './webhook-destination.ts';

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
  // Signed here (the worker's side), verified by the published client (the receiver's side).
  test('a signature verifies with the same secret and body only', async () => {
    const header = signWebhook(secret, '{"a":1}', 1_700_000_000);

    expect(await verifyWebhookSignature(secret, '{"a":1}', header, { nowSeconds: 1_700_000_010 })).toBe(true);
    expect(await verifyWebhookSignature('other', '{"a":1}', header, { nowSeconds: 1_700_000_010 })).toBe(
      false,
    );
    expect(await verifyWebhookSignature(secret, '{"a":2}', header, { nowSeconds: 1_700_000_010 })).toBe(
      false,
    );
    expect(await verifyWebhookSignature(secret, '{"a":1}', header, { nowSeconds: 1_700_009_999 })).toBe(
      false,
    );
    expect(await verifyWebhookSignature(secret, '{"a":1}', 'garbage')).toBe(false);
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
      allowPrivateNetworks: true,
      onAttempt: (delivery) => {
        recorded.push(delivery.ok);
      },
    });

    expect(deliveries.map((delivery) => delivery.statusCode)).toEqual([503, 500, 204]);
    expect(recorded).toEqual([false, false, true]);
    for (const request of receiver.requests) {
      expect(await verifyWebhookSignature(secret, request.body, String(request.headers['x-signature']))).toBe(
        true,
      );
      expect(JSON.parse(request.body)).toMatchObject({ event: 'job.succeeded', state: 'succeeded' });
    }
  });

  test('an abort during the backoff ends the delivery at once, rejecting with the signal reason', async () => {
    const receiver = await startReceiver([503]);
    const controller = new AbortController();
    const reason = new Error('worker stopping');

    const delivering = deliverWebhook({
      url: receiver.url,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      baseDelayMs: 600_000, // the backoff would outlive the test: only the abort can end it
      allowPrivateNetworks: true,
      signal: controller.signal,
      onAttempt: () => controller.abort(reason),
    });

    await expect(delivering).rejects.toBe(reason);
    expect(receiver.requests).toHaveLength(1);
  });

  test('does not retry a 4xx answer, and reports an unreachable receiver without throwing', async () => {
    const receiver = await startReceiver([410]);

    const refused = await deliverWebhook({
      url: receiver.url,
      secret,
      event: 'job.failed',
      status: statusFixture(),
      baseDelayMs: 1,
      allowPrivateNetworks: true,
    });
    const unreachable = await deliverWebhook({
      url: 'http://127.0.0.1:1/nothing',
      secret,
      event: 'job.failed',
      status: statusFixture(),
      maxAttempts: 2,
      baseDelayMs: 1,
      allowPrivateNetworks: true,
    });

    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ ok: false, statusCode: 410 });
    expect(unreachable).toHaveLength(2);
    expect(unreachable.every((delivery) => !delivery.ok && delivery.error !== undefined)).toBe(true);
  });
});

describe('webhook destinations', () => {
  test('private, loopback, link-local and unique-local addresses are recognised; public ones are not', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  test('a URL naming or resolving to a private address, or not http(s), is refused', async () => {
    expect(await webhookDestinationProblem('http://169.254.169.254/latest/meta-data/')).toContain(
      'private address',
    );
    expect(await webhookDestinationProblem('http://localhost:9/hook')).toContain('private address');
    expect(await webhookDestinationProblem('http://[::1]:9/hook')).toContain('private address');
    expect(await webhookDestinationProblem('file:///etc/passwd')).toContain('http(s)');
    expect(await webhookDestinationProblem('http://8.8.8.8/hook')).toBeUndefined();
  });

  test('by default a delivery to a loopback receiver is refused once, never sent, and not retried', async () => {
    const receiver = await startReceiver([204]);

    const deliveries = await deliverWebhook({
      url: receiver.url,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      baseDelayMs: 1,
    });

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ ok: false });
    expect(deliveries[0]?.error).toContain('private address');
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('webhook DNS pinning', () => {
  test('connects to the address the check resolved, not to a second answer (DNS rebinding)', async () => {
    // Prepare: a receiver on 127.0.0.1; the name answers 127.0.0.1 first and 127.0.0.2 (nothing there) after.
    const receiver = await startReceiver([200]);
    const port = new URL(receiver.url).port;
    const answers = ['127.0.0.1', '127.0.0.2'];
    const asked: string[] = [];
    const resolver = async (host: string) => {
      asked.push(host);
      return [{ address: answers[Math.min(asked.length - 1, answers.length - 1)] ?? '', family: 4 }];
    };

    // Act
    const deliveries = await deliverWebhook({
      url: `http://hooks.rebind.test:${port}/hook`,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      allowPrivateNetworks: true,
      resolver,
      maxAttempts: 1,
    });

    // Assess: one resolution, the request reached the checked address, with the URL's host name.
    expect(asked).toEqual(['hooks.rebind.test']);
    expect(deliveries).toMatchObject([{ ok: true, statusCode: 200 }]);
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.rebind.test:${port}`);
  });

  test('a name that answers public for the check and loopback afterwards never reaches loopback', async () => {
    // Prepare: the check sees a public (documentation) address; any later lookup would say 127.0.0.1.
    const receiver = await startReceiver([200]);
    const port = new URL(receiver.url).port;
    let lookups = 0;
    const resolver = async () => {
      lookups += 1;
      return [{ address: lookups === 1 ? '203.0.113.7' : '127.0.0.1', family: 4 }];
    };

    // Act
    const deliveries = await deliverWebhook({
      url: `http://hooks.rebind.test:${port}/hook`,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      resolver,
      maxAttempts: 1,
      timeoutMs: 1000,
    });

    // Assess
    expect(lookups).toBe(1);
    expect(deliveries[0]?.ok).toBe(false);
    expect(receiver.requests).toEqual([]);
  });

  test('a private answer is refused without a request', async () => {
    const receiver = await startReceiver([200]);
    const deliveries = await deliverWebhook({
      url: `http://internal.test:${new URL(receiver.url).port}/hook`,
      secret,
      event: 'job.succeeded',
      status: statusFixture(),
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      maxAttempts: 1,
    });
    expect(deliveries[0]?.error).toMatch(/private address \(127\.0\.0\.1\)/);
    expect(receiver.requests).toEqual([]);
  });
});
