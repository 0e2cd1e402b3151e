import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, readJson, startHarness, TEST_KEY } from './harness.ts';

describe('inputs that must not get past the guards', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const createJob = (key: string) =>
    h.api('/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });

  it('POST /v1/jobs refuses keys with . or .. segments, empty segments or control characters (400)', async () => {
    // Prepare: objects exist under each of these keys, so only the key's shape can refuse them.
    const keys = [
      'uploads/../outputs/01JAAAAAAAAAAAAAAAAAAAAAAA/mp4/video.mp4',
      'uploads/./clip.mp4',
      'library//clip.mp4',
      '/library/clip.mp4',
      'library/clip.mp4/',
      'library/cl\u0001ip.mp4',
      'library/cl\u007fip.mp4',
    ];
    for (const key of keys) {
      await h.putVideo(key, 8);
    }

    for (const key of keys) {
      // Act
      const response = await createJob(key);
      // Assess
      expect({ key, status: response.status }).toEqual({ key, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(['BAD_REQUEST', 'VALIDATION_FAILED']).toContain((await readJson(response)).code);
    }
  });

  it('a plain key still makes a job', async () => {
    await h.putVideo('library/a.b/c..d.mp4', 8);
    expect((await createJob('library/a.b/c..d.mp4')).status).toBe(202);
  });

  it('headers that are too large get 431 as problem+json', async () => {
    const url = new URL(h.baseUrl);
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/v1/jobs',
          headers: { authorization: 'Bearer x', 'x-filler': 'a'.repeat(40 * 1024) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });
});

describe('a request that arrives while the server closes', () => {
  it('gets 503 problem+json with Retry-After, not Fastify’s plain JSON', async () => {
    // Prepare: one keep-alive connection with a request whose body is still arriving, so the server
    // cannot close that connection yet.
    const h = await startHarness();
    const url = new URL(h.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    const body = JSON.stringify({ filename: 'a.mp4', contentType: 'video/mp4', size: 1 });
    const head = (length: number) =>
      `POST /v1/uploads HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${TEST_KEY}\r\n` +
      `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(head(Buffer.byteLength(body)) + body.slice(0, 5));
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Act: the server starts closing; the first body completes and a second request follows on the socket.
      const closed = h.app.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ended = new Promise((resolve) => socket.once('close', resolve));
      socket.write(body.slice(5) + head(Buffer.byteLength(body)) + body);
      await closed;
      await ended;

      // Assess: the second answer is a problem+json 503.
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      const second = answers[1] ?? '';
      expect(second).toMatch(/^HTTP\/1\.1 503/);
      expect(second).toMatch(/content-type: application\/problem\+json/i);
      expect(second).toMatch(/retry-after: 1/i);
      expect(second).toContain('"code":"UNAVAILABLE"');
    } finally {
      socket.destroy();
      await h.stop();
    }
  });
});
