import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../test/http-server.ts';
import { createClient } from './client.ts';
import { ApiError, ConnectionError, MediaServerError } from './errors.ts';
import { retryAfterMs } from './http.ts';

const job = { id: '01hzzzzzzzzzzzzzzzzzzzzzzz', state: 'queued' };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('requests', () => {
  test('Retry-After: seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  test('429 and 503 are retried after Retry-After, then the answer comes through', async () => {
    // Prepare
    server = await startTestServer((_request, response, index) => {
      if (index === 0) response.writeHead(429, { 'retry-after': '0' }).end();
      else if (index === 1) response.writeHead(503, { 'retry-after': '0' }).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(job));
    });
    const client = createClient({ baseUrl: server.url, apiKey: 'k' });

    // Act
    const answer = await client.jobs.get(job.id);

    // Assess
    expect(answer).toEqual(job);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.headers.authorization).toBe('Bearer k');
  });

  test('a problem+json answer becomes an ApiError with type, status and code', async () => {
    server = await startTestServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'https://media-server.dev/problems/unauthorized',
          title: 'Unauthorized',
          status: 401,
          detail: 'the API key is not valid',
          code: 'UNAUTHORIZED',
        }),
      );
    });
    const client = createClient({ baseUrl: server.url, apiKey: 'wrong', maxRetries: 0 });

    const error = await client.jobs.list().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(MediaServerError);
    expect(error).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
      type: 'https://media-server.dev/problems/unauthorized',
      message: 'the API key is not valid',
    });
  });

  test('503 keeps failing: after maxRetries the ApiError comes out', async () => {
    server = await startTestServer((_request, response) => {
      response.writeHead(503, { 'retry-after': '0' }).end();
    });
    const client = createClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 2 });

    await expect(client.jobs.get(job.id)).rejects.toMatchObject({ status: 503, code: 'HTTP_503' });
    expect(server.requests).toHaveLength(3);
  });

  test('nobody listening: a ConnectionError with code API_UNREACHABLE', async () => {
    server = await startTestServer(() => {});
    const url = server.url;
    await server.close();
    server = undefined;
    const client = createClient({ baseUrl: url, apiKey: 'k' });

    const error = await client.jobs.get(job.id).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'API_UNREACHABLE', status: 0 });
    expect((error as Error).message).toContain(url);
  });
});
