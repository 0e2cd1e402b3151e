import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqsEngine } from '../../../src/sqs/sqs-engine.ts';
import { SqsStore } from '../../../src/sqs/store.ts';

// A send wakes one parked receive per message (oldest first), not every receive of the queue; a woken
// receive that cannot use its wake (aborted) passes it on.
describe('long-poll wake-ups', () => {
  const engines: SqsEngine[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const engine of engines.splice(0)) engine.close();
  });

  function engine(): SqsEngine {
    const sqs = new SqsEngine(new SqsStore(undefined), { accountId: '000000000000', region: 'us-east-1' });
    engines.push(sqs);
    return sqs;
  }

  /** Starts `count` long polls and waits until all of them are parked. */
  async function parkedPolls(sqs: SqsEngine, queueName: string, count: number, maxMessages = 10) {
    const controllers = Array.from({ length: count }, () => new AbortController());
    const polls = controllers.map((controller) =>
      sqs.receive(queueName, {
        maxMessages,
        visibilityTimeout: undefined,
        waitSeconds: 20,
        signal: controller.signal,
      }),
    );
    await vi.waitFor(() => expect(sqs.waiters.size).toBe(count));
    return { controllers, polls };
  }

  it('one message sent wakes the oldest parked receive only', async () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('one-wake', {}, {});
    const { controllers, polls } = await parkedPolls(sqs, 'one-wake', 3);
    const receiveNow = vi.spyOn(sqs, 'receiveNow');

    // Act
    sqs.sendMessages(queue, [{ body: 'hello' }]);
    const first = await polls[0];

    // Assess
    expect(first?.map(({ message }) => message.body)).toEqual(['hello']);
    expect(receiveNow).toHaveBeenCalledTimes(1);
    expect(sqs.waiters.size).toBe(2);
    for (const controller of controllers) controller.abort();
    expect(await Promise.all(polls.slice(1))).toEqual([[], []]);
  });

  it('a batch of two messages wakes two parked receives, the third stays parked', async () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('two-wakes', {}, {});
    const { controllers, polls } = await parkedPolls(sqs, 'two-wakes', 3, 1);

    // Act
    sqs.sendMessages(queue, [{ body: 'a' }, { body: 'b' }]);
    const woken = await Promise.all(polls.slice(0, 2));

    // Assess
    expect(woken.map((received) => received.map(({ message }) => message.body))).toEqual([['a'], ['b']]);
    expect(sqs.waiters.size).toBe(1);
    controllers[2]?.abort();
    expect(await polls[2]).toEqual([]);
  });

  it('a woken receive that was aborted meanwhile passes its wake to the next one', async () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('aborted-wake', {}, {});
    const { controllers, polls } = await parkedPolls(sqs, 'aborted-wake', 2);

    // Act: the send wakes the oldest, whose request is aborted before its retry runs.
    sqs.sendMessages(queue, [{ body: 'not lost' }]);
    controllers[0]?.abort();
    const [aborted, next] = await Promise.all(polls);

    // Assess
    expect(aborted).toEqual([]);
    expect(next?.map(({ message }) => message.body)).toEqual(['not lost']);
  });
});
