import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../test/http-server.ts';
import { createClient } from './client.ts';

const id = '01hzzzzzzzzzzzzzzzzzzzzzzz';
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('jobs.events', () => {
  test('a dropped stream reconnects with Last-Event-ID and goes on until end', async () => {
    // Prepare: the first connection sends one event and closes; the second resumes after it.
    server = await startTestServer((request, response, index) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (index === 0) {
        response.write('retry: 10\n\n: comment\n\n');
        // The connection closes before the job ended (a proxy timeout, a restarted API).
        response.end(`id: 1\nevent: state\ndata: {"id":"${id}","state":"queued"}\n\n`);
        return;
      }
      const after = request.headers['last-event-id'];
      response.write(
        `id: 2\nevent: progress\ndata: {"state":"processing","progress":{"percent":50,"stage":"transcoding"}}\n\n`,
      );
      response.end(`id: 3\nevent: end\ndata: {"state":"succeeded","after":"${after}"}\n\n`);
    });
    const client = createClient({ baseUrl: server.url, apiKey: 'k' });

    // Act
    const events = [];
    for await (const event of client.jobs.events(id)) events.push(event);

    // Assess
    expect(events.map((event) => `${event.id}:${event.event}`)).toEqual(['1:state', '2:progress', '3:end']);
    expect(server.requests[1]?.headers['last-event-id']).toBe('1');
    expect(events[2]?.data).toMatchObject({ after: '1' });
  });

  test('a 404 is not retried', async () => {
    server = await startTestServer((_request, response) => {
      response
        .writeHead(404, { 'content-type': 'application/problem+json' })
        .end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' }));
    });
    const client = createClient({ baseUrl: server.url, apiKey: 'k' });

    const consume = async () => {
      for await (const _event of client.jobs.events(id)) {
        // nothing
      }
    };

    await expect(consume()).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(server.requests).toHaveLength(1);
  });
});
