import type { Message } from '@aws-sdk/client-sqs';
import type { Permit, Semaphore } from '@media-server/semaphore';
import { CronJob } from 'cron';

/** What a cron receiver needs from its owner. */
export interface CronReceiverOptions {
  semaphore: Semaphore;
  /** Cron expression with seconds, for example `'*\/5 * * * * *'`. */
  schedule: string;
  timeZone?: string | undefined;
  /** One short-poll ReceiveMessage for at most `max` messages. */
  receive(max: number, signal: AbortSignal): Promise<Message[]>;
  dispatch(messages: Message[], permits: Permit[]): void;
  onError(error: unknown): 'retry' | 'stop';
  onEmpty(): void;
  onSkipped(): void;
}

/**
 * The original's periodic mode, done right: on each tick take every free permit (at most 10), receive that
 * many messages with a short poll, release the permits left over. A tick is skipped while the previous
 * tick is still receiving or no permit is free.
 */
export class CronReceiver {
  readonly #o: CronReceiverOptions;
  readonly #abort = new AbortController();
  #job: CronJob | undefined;
  #busy: Promise<void> | undefined;

  constructor(options: CronReceiverOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#job) return;
    this.#job = CronJob.from({
      cronTime: this.#o.schedule,
      onTick: () => this.#tick(),
      start: true,
      ...(this.#o.timeZone ? { timeZone: this.#o.timeZone } : {}),
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#job?.stop();
    await this.#busy;
  }

  #tick(): void {
    if (this.#busy || this.#abort.signal.aborted) {
      this.#o.onSkipped();
      return;
    }
    const permits: Permit[] = [];
    while (permits.length < 10) {
      const permit = this.#o.semaphore.tryAcquire(1);
      if (!permit) break;
      permits.push(permit);
    }
    if (permits.length === 0) {
      this.#o.onSkipped();
      return;
    }
    this.#busy = this.#receive(permits).finally(() => {
      this.#busy = undefined;
    });
  }

  async #receive(permits: Permit[]): Promise<void> {
    let messages: Message[];
    try {
      messages = await this.#o.receive(permits.length, this.#abort.signal);
    } catch (error) {
      for (const permit of permits) permit.release();
      if (!this.#abort.signal.aborted && this.#o.onError(error) === 'stop') this.#abort.abort();
      return;
    }
    for (const permit of permits.slice(messages.length)) permit.release();
    try {
      if (messages.length > 0) this.#o.dispatch(messages, permits.slice(0, messages.length));
      else this.#o.onEmpty();
    } catch (error) {
      this.#o.onError(error);
    }
  }
}
