import type { Message } from '@aws-sdk/client-sqs';
import type { Permit, Semaphore } from '@media-server/semaphore';
import { sleep } from './aws-errors.ts';
import { computeBackoffMs } from './backoff.ts';

/** Reason of the internal wake-up aborts: a shared value, since `abort()` without one builds a DOMException. */
const WOKEN = new Error('receive loop woken');

/** Polls started in one turn of the event loop, at most. */
const POLLS_PER_TURN = 4;

/**
 * Long polls kept parked on a drained queue (when there are that many permits): a message that arrives while
 * one poll's answer is on its way back is taken by another parked poll rather than waiting for a new one.
 */
const DRAINED_POLLS = 4;

/**
 * Default `pollers`: one poll per 10 permits, and at least `DRAINED_POLLS` (or one per permit, when there are
 * fewer), so that a drained queue has that many receives parked.
 */
export function defaultPollers(permits: number): number {
  return Math.max(Math.ceil(permits / 10), Math.min(permits, DRAINED_POLLS));
}

/** What a receive loop needs from its owner. */
export interface ReceiveLoopOptions {
  semaphore: Semaphore;
  /** Most polls in flight at once (one per 10 free permits, or per `DRAINED_POLLS`th on a drained queue). */
  pollers: number;
  /**
   * Ask only for full batches (10 messages, or all the permits when there are fewer). Safe when the
   * semaphore holds at least 9 permits more than there are handler slots (`prefetch` ≥ 9): a handler slot
   * can then only be idle while 10 permits are free, so waiting for a batch never starves a handler.
   */
  fullBatches?: boolean | undefined;
  /** One ReceiveMessage for at most `max` messages; `signal` aborts it. */
  receive(max: number, signal: AbortSignal): Promise<Message[]>;
  /** Takes the received messages; `permits[i]` belongs to `messages[i]` and is the owner's to release. */
  dispatch(messages: Message[], permits: Permit[]): void;
  /** A receive failed; return `'stop'` to end polling (fatal errors), `'retry'` to back off and retry. */
  onError(error: unknown): 'retry' | 'stop';
  /** A receive returned nothing. */
  onEmpty(): void;
}

/**
 * Continuous long polling that never holds a message without a permit: wait for one permit, take up to 9
 * more that are free right now, ask ReceiveMessage for exactly that many, release the permits no message
 * came for, and hand the rest over with their permits. While a poll that asked for fewer than 10 is in
 * flight, another starts only for a batch (a quarter of the permits, 2 to 10, free at once), up to
 * `pollers` polls: a single freed permit waits for the poll in flight rather than paying for a
 * one-message request, which keeps requests few and batches large; a poll that asked for 10 never holds
 * the next one back (with `fullBatches`, every poll asks for 10). Once a poll comes back with fewer messages
 * than it asked for (the queue is drained), polls ask for a `DRAINED_POLLS`th of the permits at most, so that
 * more of them wait parked for the next messages; a full answer restores batches of 10. Polls start at most
 * `POLLS_PER_TURN` per event-loop turn and send at the end of the turn. Receive errors back off (full jitter,
 * 100 ms doubling to 10 s) and retry.
 */
export class ReceiveLoop {
  readonly #o: ReceiveLoopOptions;
  /** Stops taking permits and starting requests. */
  readonly #abort = new AbortController();
  /** Aborts requests in flight. */
  readonly #abortRequests = new AbortController();
  #running: Promise<void> | undefined;
  #failures = 0;
  /** The last answer brought fewer messages than asked for. */
  #drained = false;

  constructor(options: ReceiveLoopOptions) {
    this.#o = options;
  }

  /** Starts polling. */
  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops polling and resolves when no poll is in flight. Requests in flight are aborted at once, or, with
   * `drainMs`, allowed that long to return first (their messages are dispatched as usual).
   */
  async stop(drainMs = 0): Promise<void> {
    this.#abort.abort();
    if (drainMs > 0) {
      const timer = setTimeout(() => this.#abortRequests.abort(), drainMs);
      await this.#running;
      clearTimeout(timer);
    }
    this.#abortRequests.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const inFlight = new Set<Promise<void>>();
    let partial = 0;
    const maxPolls = Math.max(1, this.#o.pollers);
    // A second poll while a partial one is in flight must be worth a request: this many messages at least.
    const minBatch = Math.min(10, Math.max(2, Math.ceil(this.#o.semaphore.permits / 4)));
    let startedThisTurn = 0;
    while (!signal.aborted) {
      if (startedThisTurn >= POLLS_PER_TURN) {
        // Let answers and timers run between groups of polls, so that the first answers are read while
        // the rest are still to be sent (at start, or after many permits freed at once).
        await new Promise(setImmediate);
        startedThisTurn = 0;
      }
      while (inFlight.size >= maxPolls && !signal.aborted) await Promise.race([...inFlight]);
      if (signal.aborted) break;
      let permits: Permit[];
      if (this.#o.fullBatches) {
        try {
          permits = splitPermit(
            await this.#o.semaphore.acquire(Math.min(10, this.#o.semaphore.permits), { signal }),
          );
        } catch {
          // Stopped, or refused because the permits shrank: retry with the new count unless stopped.
          continue;
        }
      } else if (partial === 0) {
        try {
          permits = [await this.#o.semaphore.acquire(1, { signal })];
        } catch {
          break;
        }
      } else {
        // Wait for a batch of free permits, or for a poll in flight to return (then start over). One
        // controller aborted by either (not AbortSignal.any, whose dependent signals live until a GC).
        const wake = new AbortController();
        let pollReturned = false;
        const onStop = (): void => wake.abort(WOKEN);
        signal.addEventListener('abort', onStop, { once: true });
        void Promise.race([...inFlight]).then(() => {
          pollReturned = true;
          wake.abort(WOKEN);
        });
        try {
          const batch = await this.#o.semaphore.acquire(Math.min(minBatch, this.#o.semaphore.permits), {
            signal: wake.signal,
          });
          permits = splitPermit(batch);
        } catch {
          // Aborted (a poll returned, or stop), or refused (permits shrank): wait for the poll in flight.
          if (!pollReturned && !signal.aborted) await Promise.race([...inFlight]);
          continue;
        } finally {
          signal.removeEventListener('abort', onStop);
          wake.abort(WOKEN);
        }
      }
      // ReceiveMessage takes at most 10.
      const most = this.#drained ? Math.min(10, Math.ceil(this.#o.semaphore.permits / DRAINED_POLLS)) : 10;
      while (permits.length < most) {
        const more = this.#o.semaphore.tryAcquire(1);
        if (!more) break;
        permits.push(more);
      }
      const full = permits.length === 10;
      if (!full) partial++;
      const poll: Promise<void> = this.#poll(permits).finally(() => {
        inFlight.delete(poll);
        if (!full) partial--;
      });
      inFlight.add(poll);
      startedThisTurn++;
    }
    await Promise.allSettled([...inFlight]);
  }

  /** One ReceiveMessage for `permits.length` messages; never rejects. */
  async #poll(permits: Permit[]): Promise<void> {
    let messages: Message[];
    try {
      // Send at the end of this turn: handlers whose timers are due run first.
      await new Promise(setImmediate);
      messages = await this.#o.receive(permits.length, this.#abortRequests.signal);
      this.#failures = 0;
      this.#drained = messages.length < permits.length;
    } catch (error) {
      for (const permit of permits) permit.release();
      if (this.#abort.signal.aborted) return;
      if (this.#o.onError(error) === 'stop') {
        this.#abort.abort();
        this.#abortRequests.abort();
        return;
      }
      this.#failures++;
      await sleep(
        computeBackoffMs(this.#failures, { baseMs: 100, capMs: 10_000, minMs: 50 }),
        this.#abort.signal,
      );
      return;
    }
    for (const permit of permits.slice(messages.length)) permit.release();
    try {
      if (messages.length > 0) this.#o.dispatch(messages, permits.slice(0, messages.length));
      else this.#o.onEmpty();
    } catch (error) {
      // A bug in the owner must not end polling (or become an unhandled rejection).
      this.#o.onError(error);
    }
  }
}

/** Splits a permit of weight n into n permits of weight 1 (one per message). */
function splitPermit(permit: Permit): Permit[] {
  return Array.from({ length: permit.weight }, () => {
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      permit.release(1);
    };
    return { weight: 1, release, [Symbol.dispose]: release };
  });
}
