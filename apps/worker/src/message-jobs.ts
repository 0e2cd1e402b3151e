/**
 * Which jobs each queue message in this process is about, so that a line about the message (its hand-back
 * or delete failed) names the jobs. Bounded: the oldest entries go first past `limit`.
 */
export class MessageJobs {
  readonly #jobs = new Map<string, string[]>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  set(messageId: string, jobIds: string[]): void {
    this.#jobs.delete(messageId);
    this.#jobs.set(messageId, jobIds);
    if (this.#jobs.size > this.#limit) {
      const oldest = this.#jobs.keys().next().value;
      if (oldest !== undefined) this.#jobs.delete(oldest);
    }
  }

  /** The jobs of a message, `[]` when unknown. */
  get(messageId: string | undefined): string[] {
    return messageId === undefined ? [] : (this.#jobs.get(messageId) ?? []);
  }

  delete(messageId: string | undefined): void {
    if (messageId !== undefined) this.#jobs.delete(messageId);
  }
}
