interface Waiting<T> {
  item: T;
  sequence: bigint;
  start: (item: T) => void;
}

/**
 * Lets at most one message per MessageGroupId run at a time, in SequenceNumber order, without holding up
 * other groups. SQS FIFO delivers a group's messages in order and returns no more of a group while one of
 * its messages is in flight, but one ReceiveMessage can return several messages of the same group: those
 * wait here, in order, until the one before them has finished.
 */
export class FifoGroupGate<T> {
  readonly #busy = new Map<string, Waiting<T>[]>();

  /** Groups with a message running. */
  get activeGroups(): number {
    return this.#busy.size;
  }

  /** Messages waiting for their group. */
  get waiting(): number {
    let n = 0;
    for (const queue of this.#busy.values()) n += queue.length;
    return n;
  }

  /** Runs `start(item)` now if the group is free, else after the group's earlier messages have left. */
  enter(groupId: string, sequenceNumber: string | undefined, item: T, start: (item: T) => void): void {
    const queue = this.#busy.get(groupId);
    if (!queue) {
      this.#busy.set(groupId, []);
      start(item);
      return;
    }
    const sequence = toSequence(sequenceNumber);
    let at = queue.length;
    while (at > 0 && (queue[at - 1] as Waiting<T>).sequence > sequence) at--;
    queue.splice(at, 0, { item, sequence, start });
  }

  /** The running message of `groupId` has finished: start the group's next one, if any. */
  leave(groupId: string): void {
    const queue = this.#busy.get(groupId);
    if (!queue) return;
    const next = queue.shift();
    if (next) next.start(next.item);
    else this.#busy.delete(groupId);
  }

  /** Removes and returns the messages waiting in `groupId` (for handing them back after a failure). */
  takeWaiting(groupId: string): T[] {
    const queue = this.#busy.get(groupId);
    if (!queue) return [];
    return queue.splice(0).map((w) => w.item);
  }

  /** Removes and returns every waiting message of every group (on stop). */
  takeAllWaiting(): T[] {
    const all: T[] = [];
    for (const queue of this.#busy.values()) all.push(...queue.splice(0).map((w) => w.item));
    return all;
  }
}

function toSequence(value: string | undefined): bigint {
  if (value && /^\d+$/.test(value)) return BigInt(value);
  return BigInt(Number.MAX_SAFE_INTEGER) ** 2n;
}
