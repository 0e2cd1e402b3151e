import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobStatus, WebhookDelivery } from '@media-server/jobs';
import { type HostResolver, resolveWebhookDestination } from './webhook-destination.ts';

/** The event names a job's webhook receives. */
export type WebhookEvent = 'job.processing' | 'job.succeeded' | 'job.failed';

/**
 * `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the Stripe-style scheme: the
 * timestamp is signed with the body so a captured request cannot be replayed later. Receivers verify with
 * `verifyWebhookSignature` of `@media-server/client`.
 */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export interface DeliverWebhookOptions {
  url: string;
  secret: string;
  event: WebhookEvent;
  status: JobStatus;
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled each time. Default 1000 ms. */
  baseDelayMs?: number;
  /** Per-attempt request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Allow receivers on loopback, private and link-local addresses. Default false: a webhook URL comes
   * from an API client and must not reach the deployment's own network (or the cloud metadata service).
   */
  allowPrivateNetworks?: boolean;
  /** Resolves the receiver's host name (once per attempt; the request goes to the address it returned). Default: the system resolver. */
  resolver?: HostResolver;
  signal?: AbortSignal;
  /** Called after every attempt, so the caller can record it in the status document. */
  onAttempt?: (delivery: WebhookDelivery) => void | Promise<void>;
}

/** The JSON body of a webhook: the event and the job's status without its delivery log. */
export function webhookBody(event: WebhookEvent, status: JobStatus): string {
  const { webhookDeliveries: _deliveries, ...job } = status;
  return JSON.stringify({
    event,
    jobId: status.jobId,
    state: status.state,
    job,
    sentAt: new Date().toISOString(),
  });
}

/**
 * POSTs a signed webhook, retrying with exponential backoff on network errors, timeouts, 429 and 5xx.
 * Resolves with every attempt made; never throws for a failed delivery (a receiver that is down must
 * not fail the job), only for an aborted signal.
 */
export async function deliverWebhook(options: DeliverWebhookOptions): Promise<WebhookDelivery[]> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const body = webhookBody(options.event, options.status);
  const deliveries: WebhookDelivery[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    options.signal?.throwIfAborted();
    // Resolved and checked before every attempt (the name may point elsewhere by then); the attempt then
    // connects to exactly the address that was checked.
    const destination = await resolveWebhookDestination(options.url, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      resolver: options.resolver,
    });
    if (!destination.ok) {
      const delivery: WebhookDelivery = {
        event: options.event,
        attempt,
        at: new Date().toISOString(),
        ok: false,
        error: destination.problem,
      };
      deliveries.push(delivery);
      await options.onAttempt?.(delivery);
      break;
    }
    const delivery = await attemptDelivery(options, body, attempt, destination);
    deliveries.push(delivery);
    await options.onAttempt?.(delivery);
    const retryable =
      !delivery.ok &&
      (delivery.statusCode === undefined || delivery.statusCode === 429 || delivery.statusCode >= 500);
    if (delivery.ok || !retryable || attempt === maxAttempts) break;
    // An abort rejects with the signal's reason, as every other abort point here does.
    await sleep(baseDelayMs * 2 ** (attempt - 1), undefined, { signal: options.signal }).catch(
      (error: unknown) => {
        options.signal?.throwIfAborted();
        throw error;
      },
    );
  }
  return deliveries;
}

async function attemptDelivery(
  options: DeliverWebhookOptions,
  body: string,
  attempt: number,
  destination: { url: URL; address: string; family: 4 | 6 },
): Promise<WebhookDelivery> {
  const at = new Date().toISOString();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const statusCode = await postPinned(destination, body, signal, {
      'content-type': 'application/json',
      'user-agent': 'media-server-webhook/1',
      'x-webhook-event': options.event,
      'x-signature': signWebhook(options.secret, body, Math.floor(Date.now() / 1000)),
    });
    const ok = statusCode >= 200 && statusCode < 300;
    return { event: options.event, attempt, at, ok, statusCode };
  } catch (error) {
    options.signal?.throwIfAborted();
    const message = signal.aborted ? 'the webhook request timed out' : (error as Error).message;
    return { event: options.event, attempt, at, ok: false, error: message };
  }
}

/**
 * POSTs `body` to `destination.url`, connecting to `destination.address` whatever the name resolves to
 * now. The URL's host still goes into `Host` and, for https, into TLS SNI and the certificate check.
 * Redirects are not followed. Resolves with the status code.
 */
function postPinned(
  destination: { url: URL; address: string; family: 4 | 6 },
  body: string,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<number> {
  const { url, address, family } = destination;
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (error: null, entries: Array<{ address: string; family: number }>) => void)(
        null,
        [{ address, family }],
      );
    } else callback(null, address, family);
  };
  const requestOptions: RequestOptions = {
    method: 'POST',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinned,
    signal,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(requestOptions, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
