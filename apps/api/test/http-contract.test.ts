import { CLIENT_OPERATIONS } from '@media-server/client/contract';
import { newJobId } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Harness, OTHER_KEY, readJson, startHarness } from './harness.ts';
import { putBytes } from './put-bytes.ts';

interface MediaTypes {
  content?: Record<string, { schema?: unknown }>;
}

interface Operation {
  method: string;
  path: string;
  security?: unknown[];
  deprecated?: boolean;
  requestBody?: MediaTypes;
  parameters?: Array<{ in: string; name: string; schema?: unknown; description?: string }>;
  responses?: Record<string, MediaTypes>;
}

/**
 * A schema as JSON, in the form the OpenAPI document prints it (a `const` becomes a one-value `enum`, a
 * record `additionalProperties`,
 * descriptions and titles dropped: the generator moves them), so that the two can be compared.
 */
function normalise(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalise);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>)) {
    if (key === 'description' || key === 'title' || key === '$id') continue;
    if (key === 'patternProperties' && typeof value === 'object' && value !== null && '^.*$' in value) {
      out.additionalProperties = normalise((value as Record<string, unknown>)['^.*$']);
      continue;
    }
    if (key === 'const') {
      out.enum = [value];
      out.type ??= typeof value === 'number' ? 'number' : typeof value;
      continue;
    }
    out[key] = normalise(value);
  }
  return out;
}

function operations(document: { paths: Record<string, Record<string, Operation>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      ...operation,
      method: method.toUpperCase(),
      path,
    })),
  );
}

function concretePath(path: string): string {
  return path.replace('{id}', newJobId()).replace('{uploadId}', 'some-upload').replace('{partNumber}', '1');
}

describe('HTTP contract: auth, problem+json, idempotency, OpenAPI', () => {
  let h: Harness;
  let ops: Operation[];
  beforeAll(async () => {
    h = await startHarness({ bodyLimitBytes: 4096 });
    const response = await fetch(`${h.baseUrl}/openapi.json`);
    ops = operations(await readJson(response));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('serves an OpenAPI 3.1 document and a docs page without a key', async () => {
    const document = await readJson(await fetch(`${h.baseUrl}/openapi.json`));
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(ops.length).toBeGreaterThanOrEqual(18);
    const legacy = ops.find((op) => op.path === '/api/v1/video/pre-signed-url');
    expect(legacy?.deprecated).toBe(true);
    const docs = await fetch(`${h.baseUrl}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('the typed client covers every /v1 operation of the document', () => {
    const v1 = ops.filter((op) => op.path.startsWith('/v1/')).map((op) => `${op.method} ${op.path}`);
    expect(v1.sort()).toEqual(Object.keys(CLIENT_OPERATIONS).sort());
  });

  it("the client's schemas are the document's: body, query and answer of every /v1 operation", () => {
    for (const op of ops.filter((candidate) => candidate.path.startsWith('/v1/'))) {
      const name = `${op.method} ${op.path}`;
      const client = CLIENT_OPERATIONS[name];
      if (client === undefined) throw new Error(`${name} has no client method`);
      const body = op.requestBody?.content?.['application/json']?.schema;
      expect(normalise(body), `${name} body`).toEqual(normalise(client.body));
      const query = (op.parameters ?? []).filter((parameter) => parameter.in === 'query');
      const clientQuery =
        (client.query as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      expect(query.map((parameter) => parameter.name).sort(), `${name} query`).toEqual(
        Object.keys(clientQuery).sort(),
      );
      for (const parameter of query) {
        expect(normalise(parameter.schema), `${name} ?${parameter.name}`).toEqual(
          normalise(clientQuery[parameter.name]),
        );
      }
      const answer = Object.entries(op.responses ?? {}).find(([status]) => /^2\d\d$/.test(status))?.[1];
      const answerSchema =
        answer?.content?.['application/json']?.schema ?? answer?.content?.['text/event-stream']?.schema;
      expect(normalise(answerSchema), `${name} answer`).toEqual(normalise(client.response));
    }
  });

  it('every route except health and docs refuses a missing, malformed or wrong key', async () => {
    const protectedOps = ops.filter((op) => !(Array.isArray(op.security) && op.security.length === 0));
    expect(protectedOps.length).toBeGreaterThanOrEqual(16);
    for (const op of protectedOps) {
      for (const authorization of [undefined, 'Basic dGVzdDp0ZXN0', 'Bearer wrong-key', 'Bearer']) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization !== undefined) headers.authorization = authorization;
        const response = await fetch(h.baseUrl + concretePath(op.path), {
          method: op.method,
          headers,
          ...(op.method === 'POST' ? { body: '{}' } : {}),
        });
        expect(response.status, `${op.method} ${op.path} with ${authorization}`).toBe(401);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const problem = await readJson(response);
        expect(problem).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
    }
  });

  it('health routes answer without a key; /readyz checks S3 and SQS', async () => {
    expect(await readJson(await fetch(`${h.baseUrl}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await readJson(ready)).toEqual({
      status: 'ready',
      checks: { s3: { ok: true }, sqs: { ok: true } },
    });
  });

  it('/metrics (with a key) counts requests by route', async () => {
    await h.api('/v1/jobs?limit=1');
    const text = await (await h.api('/metrics')).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/jobs",status="200"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('answers bad input with 4xx problem+json and a clear detail', async () => {
    const post = (path: string, body: string, contentType = 'application/json') =>
      h.api(path, { method: 'POST', headers: { 'content-type': contentType }, body });
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/v1/uploads', '{"filename":'), 400, /JSON/],
      [post('/v1/uploads', ''), 400, /empty/],
      [post('/v1/uploads', JSON.stringify({ filename: 'a.mp4', contentType: 'video/mp4' })), 400, /size/],
      [
        post('/v1/uploads', JSON.stringify({ filename: 'a.mp4', contentType: 'video/mp4', size: -1 })),
        400,
        /size/,
      ],
      [
        post('/v1/uploads', JSON.stringify({ filename: '', contentType: 'video/mp4', size: 1 })),
        400,
        /filename/,
      ],
      [
        post('/v1/uploads', JSON.stringify({ filename: 'a', contentType: 'mp4', size: 1 })),
        400,
        /contentType/,
      ],
      [
        post(
          '/v1/uploads',
          JSON.stringify({ filename: 'a', contentType: 'video/mp4', size: 1, presets: ['x'] }),
        ),
        400,
        /presets/,
      ],
      [
        post(
          '/v1/uploads',
          JSON.stringify({ filename: 'a', contentType: 'video/mp4', size: 1, webhookUrl: 'ftp://x' }),
        ),
        400,
        /webhookUrl/,
      ],
      [
        post('/v1/uploads', JSON.stringify({ filename: 'a', contentType: 'video/mp4', size: 1, extra: 1 })),
        400,
        /extra|additional/i,
      ],
      [post('/v1/uploads', 'filename=a', 'application/x-www-form-urlencoded'), 415, /application\/json/],
      [
        post(
          '/v1/uploads',
          JSON.stringify({ filename: 'x'.repeat(5000), contentType: 'video/mp4', size: 1 }),
        ),
        413,
        /too large/,
      ],
      [h.api('/v1/jobs/not-a-job-id'), 400, /id/],
      [h.api(`/v1/jobs/${newJobId()}`), 404, /not found/],
      [h.api('/v1/jobs?limit=0'), 400, /limit/],
      [h.api('/v1/jobs?cursor=..%2F..'), 400, /cursor/],
      [h.api('/v1/nothing-here'), 404, /no route/],
      [post(`/v1/uploads/${newJobId()}/complete`, '{}'), 404, /not found/],
    ];
    for (const [pending, status, detail] of cases) {
      const response = await pending;
      const problem = await readJson(response);
      expect(response.status, JSON.stringify(problem)).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(problem.status).toBe(status);
      expect(typeof problem.title).toBe('string');
      expect(problem.detail).toMatch(detail);
    }
  });

  it('Idempotency-Key: same key and body → same answer, other body → 422', async () => {
    const body = { filename: 'same.mp4', contentType: 'video/mp4', size: 10 };
    const first = await h.client.uploads.create(body, { idempotencyKey: 'order-1' });
    const again = await h.api('/v1/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-1' },
      body: JSON.stringify({ size: 10, contentType: 'video/mp4', filename: 'same.mp4' }),
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/v1/jobs/${first.id}`);
    expect(await readJson(again)).toEqual(first);
    const other = await h.api('/v1/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-1' },
      body: JSON.stringify({ ...body, size: 11 }),
    });
    expect(other.status).toBe(422);
    expect((await readJson(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The key is the caller's own: another API key with the same Idempotency-Key gets a new upload.
    const otherCaller = await h.api('/v1/uploads', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${OTHER_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': 'order-1',
      },
      body: JSON.stringify(body),
    });
    expect(otherCaller.status).toBe(201);
    expect((await readJson(otherCaller)).id).not.toBe(first.id);
    // Without the header every call is new.
    expect((await h.client.uploads.create(body)).id).not.toBe(first.id);
  });

  it('the original route POST /api/v1/video/pre-signed-url keeps its shape, marked deprecated', async () => {
    const response = await h.api('/api/v1/video/pre-signed-url', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(response.headers.get('deprecation')).toBe('true');
    const body = await readJson(response);
    expect(body).toMatchObject({ isSuccess: true, preSignedUrl: expect.stringMatching(/^http/) });
    expect(body.key).toBe(`uploads/${body.jobId}/video.mp4`);
    const second = await readJson(await h.api('/api/v1/video/pre-signed-url', { method: 'POST' }));
    expect(second.preSignedUrl).not.toBe(body.preSignedUrl);
    await putBytes(fetch, body.preSignedUrl, bytes(32), { 'content-type': 'video/mp4' });
    expect(await h.receiveUntil((message) => message.includes(body.jobId))).toBeDefined();
    expect((await h.client.jobs.get(body.jobId)).state).toBe('queued');
  });
});
