import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/http-server.ts';
import { createClient } from '../client.ts';

const id = '01hzzzzzzzzzzzzzzzzzzzzzzz';
const PART = 1000;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A storage that answers like the API and S3 do for a multipart upload of `parts` parts, and fails the
 * PUTs listed in `failures` (part number → statuses to answer first). Counts the PUTs in flight.
 */
async function scriptedStorage(parts: number, failures: Record<number, number[]>, hold = 1) {
  const state = { inFlight: 0, peak: 0, puts: [] as number[], completed: undefined as unknown };
  const held: Array<() => void> = [];
  server = await startTestServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (request.method === 'POST' && url.pathname === '/v1/uploads') {
      response.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          key: `uploads/${id}/a.mp4`,
          expiresAt: new Date().toISOString(),
          method: 'multipart',
          uploadId: 'u1',
          partSize: PART,
          partCount: parts,
          parts: Array.from({ length: parts }, (_, i) => ({
            partNumber: i + 1,
            size: PART,
            url: `${server?.url}/part/${i + 1}`,
          })),
        }),
      );
      return;
    }
    if (request.method === 'PUT') {
      const partNumber = Number(url.pathname.split('/').pop());
      state.inFlight += 1;
      state.peak = Math.max(state.peak, state.inFlight);
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      request.on('end', () => {
        // Held until `hold` PUTs are in flight together (or 2 s passed): the peak is then the client's limit.
        const answer = (): void => {
          state.inFlight -= 1;
          state.puts.push(partNumber);
          const status = failures[partNumber]?.shift() ?? (received === PART ? 200 : 400);
          response.writeHead(status, status === 200 ? { etag: `"etag-${partNumber}"` } : {}).end();
        };
        held.push(answer);
        const timer = setTimeout(release, 2000);
        function release(): void {
          clearTimeout(timer);
          for (const next of held.splice(0)) next();
        }
        if (state.inFlight >= hold) release();
      });
      return;
    }
    if (request.method === 'POST' && url.pathname === `/v1/uploads/${id}/complete`) {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      request.on('end', () => {
        state.completed = JSON.parse(body);
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id, state: 'queued' }));
      });
      return;
    }
    response.writeHead(404).end();
  });
  return { state, client: createClient({ baseUrl: server.url, apiKey: 'k' }) };
}

describe('multipart uploads', () => {
  test('parts go out in parallel up to the limit; a failed part is retried; complete lists every ETag in order', async () => {
    // Prepare: part 3 fails twice (503, then 500) before it is accepted.
    const { state, client } = await scriptedStorage(8, { 3: [503, 500] }, 3);

    // Act
    const result = await client.upload(new Blob([new Uint8Array(8 * PART)]), {
      concurrency: 3,
      filename: 'a.mp4',
    });

    // Assess
    expect(result).toMatchObject({ id, method: 'multipart', partsUploaded: 8, partsSkipped: 0 });
    expect(state.peak).toBe(3);
    expect(state.puts.filter((part) => part === 3)).toHaveLength(3);
    expect(state.completed).toEqual({
      parts: Array.from({ length: 8 }, (_, i) => ({ partNumber: i + 1, etag: `"etag-${i + 1}"` })),
    });
  });

  test('a part that keeps failing fails the upload with UploadPartError after the retries', async () => {
    const { state, client } = await scriptedStorage(2, { 2: [500, 500, 500] });

    const error = await client
      .upload(new Blob([new Uint8Array(2 * PART)]), { concurrency: 1, retries: 2, filename: 'a.mp4' })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'UploadPartError',
      code: 'PART_UPLOAD_FAILED',
      partNumber: 2,
      status: 500,
    });
    expect(state.puts.filter((part) => part === 2)).toHaveLength(3);
    expect(state.completed).toBeUndefined();
  });

  test('a 4xx from the storage is not retried', async () => {
    const { state, client } = await scriptedStorage(1, { 1: [403] });

    await expect(
      client.upload(new Blob([new Uint8Array(PART)]), { filename: 'a.mp4' }),
    ).rejects.toMatchObject({
      status: 403,
      partNumber: 1,
    });
    expect(state.puts).toEqual([1]);
  });
});
