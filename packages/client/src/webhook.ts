/**
 * Webhook signatures: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Web Crypto
 * only, so it runs in Node, Deno, Bun, workers and browsers alike.
 */

/** Options of {@link verifyWebhookSignature} and {@link verifyWebhookRequest}. */
export interface VerifyWebhookOptions {
  /** Oldest accepted timestamp, in seconds from now (either way). Default 300. */
  toleranceSeconds?: number | undefined;
  /** The current time in Unix seconds. Default: the clock. */
  nowSeconds?: number | undefined;
}

/**
 * True when `header` (the `X-Signature` of a webhook request) signs `body` with `secret` and is not
 * older than `toleranceSeconds`. `body` must be the raw request body, byte for byte: a re-serialised
 * JSON object does not verify. The comparison runs in constant time (Web Crypto `verify`).
 *
 * @param secret The webhook secret the API signs with.
 * @param body The raw request body.
 * @param header The `X-Signature` header (the first value when it is an array).
 * @example
 * ```ts
 * import { verifyWebhookSignature } from '@media-server/client';
 *
 * // In a handler that kept the raw body (Express: express.raw({ type: 'application/json' })).
 * async function onWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>) {
 *   if (!(await verifyWebhookSignature('webhook-secret', rawBody, headers['x-signature']))) return 401;
 *   const { event, jobId, state } = JSON.parse(rawBody.toString('utf8')) as Record<string, string>;
 *   console.log(event, jobId, state);
 *   return 204;
 * }
 * ```
 */
export async function verifyWebhookSignature(
  secret: string,
  body: string | Uint8Array,
  header: string | string[] | null | undefined,
  options: VerifyWebhookOptions = {},
): Promise<boolean> {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return false;
  const fields = new Map(
    value.split(',').map((part) => {
      const [name = '', field = ''] = part.split('=', 2);
      return [name.trim(), field.trim()] as const;
    }),
  );
  const timestamp = Number(fields.get('t'));
  const given = fields.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const bodyBytes = typeof body === 'string' ? encoder.encode(body) : body;
  const signed = new Uint8Array(encoder.encode(`${timestamp}.`).length + bodyBytes.length);
  signed.set(encoder.encode(`${timestamp}.`));
  signed.set(bodyBytes, signed.length - bodyBytes.length);
  return crypto.subtle.verify('HMAC', key, hexToBytes(given), signed);
}

/** A webhook request as Node's `http`, Fastify or Express give it (headers, raw body). */
export interface WebhookRequestLike {
  /** Header names in lower case, as Node gives them; `x-signature` is read. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Reads a Node `http.IncomingMessage` (or any async iterable of chunks) to the end and verifies it:
 * resolves to the raw body text when the signature is good, `undefined` otherwise. For Express use
 * `express.raw({ type: 'application/json' })` and {@link verifyWebhookSignature} on `req.body`; for
 * Fastify, a `content-type` parser with `parseAs: 'buffer'`.
 *
 * @param secret The webhook secret the API signs with.
 * @param request The request, not read yet.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { verifyWebhookRequest } from '@media-server/client';
 *
 * createServer(async (request, response) => {
 *   const body = await verifyWebhookRequest('webhook-secret', request);
 *   response.writeHead(body === undefined ? 401 : 204).end();
 *   if (body !== undefined) console.log(JSON.parse(body).state);
 * }).listen(8080);
 * ```
 */
export async function verifyWebhookRequest(
  secret: string,
  request: WebhookRequestLike & AsyncIterable<Uint8Array | string>,
  options: VerifyWebhookOptions = {},
): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const encoder = new TextEncoder();
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  const ok = await verifyWebhookSignature(secret, body, request.headers['x-signature'], options);
  return ok ? new TextDecoder().decode(body) : undefined;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
