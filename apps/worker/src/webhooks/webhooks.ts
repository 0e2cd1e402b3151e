import { type JobSpec, type JobStatus, recordWebhookAttempt } from '@media-server/jobs';
import type { Logger } from 'pino';
import type { StatusWriter } from '../status-writer.ts';
import { deliverWebhook, type WebhookEvent } from './deliver-webhook.ts';

/** Deliveries kept in status.json (the newest); older ones are dropped so the document stays small. */
const MAX_RECORDED = 50;

/**
 * Sends a job's webhooks in the background (a slow or dead receiver never holds a job or its message) and
 * records every attempt in the job's status document. `drain()` waits for deliveries still running.
 */
export class Webhooks {
  readonly #secret: string;
  readonly #allowPrivateNetworks: boolean;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();

  constructor(options: { secret: string; allowPrivateNetworks: boolean; log: Logger }) {
    this.#secret = options.secret;
    this.#allowPrivateNetworks = options.allowPrivateNetworks;
    this.#log = options.log;
  }

  send(spec: JobSpec | undefined, event: WebhookEvent, status: JobStatus, writer: StatusWriter): void {
    const url = spec?.webhookUrl;
    if (url === undefined) return;
    const log = this.#log.child({ jobId: status.jobId, event });
    const delivery = deliverWebhook({
      url,
      secret: this.#secret,
      allowPrivateNetworks: this.#allowPrivateNetworks,
      event,
      status,
      signal: this.#abort.signal,
      onAttempt: async (attempt) => {
        log.info(
          { ok: attempt.ok, statusCode: attempt.statusCode, attempt: attempt.attempt },
          'webhook attempt',
        );
        await writer
          .transition((current) => recordWebhookAttempt(current, { attempt, keep: MAX_RECORDED }))
          .catch((error: unknown) => log.warn({ err: error }, 'could not record the webhook attempt'));
      },
    }).catch((error: unknown) => log.warn({ err: error }, 'webhook delivery stopped'));
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  /** Waits up to `timeoutMs` for running deliveries, then abandons the rest. */
  async drain(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => this.#abort.abort(new Error('shutting down')), timeoutMs);
    await Promise.allSettled([...this.#pending]);
    clearTimeout(timer);
  }
}
