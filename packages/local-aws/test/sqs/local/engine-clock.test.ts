import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqsEngine } from '../../../src/sqs/sqs-engine.ts';
import { SqsStore } from '../../../src/sqs/store.ts';

// Semantics that need minutes of wall-clock time (retention, the 5-minute deduplication window) are checked
// on the engine with a real in-memory store and only `Date.now` advanced.
describe('SqsEngine timers (clock advanced)', () => {
  let now = 1_800_000_000_000;
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function engine(): SqsEngine {
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    return new SqsEngine(new SqsStore(undefined), { accountId: '000000000000', region: 'us-east-1' });
  }

  const receive = { maxMessages: 10, visibilityTimeout: undefined, waitSeconds: 0 };

  it('drops messages older than MessageRetentionPeriod', () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('retention', { MessageRetentionPeriod: '60' }, {});
    sqs.sendMessages(queue, [{ body: 'old' }]);
    now += 30_000;
    sqs.sendMessages(queue, [{ body: 'young' }]);

    // Act
    now += 31_000;
    const received = sqs.receiveNow(queue, receive);
    sqs.close();

    // Assess
    expect(received.map(({ message }) => message.body)).toEqual(['young']);
  });

  it('deduplicates a FIFO deduplication id for 5 minutes only', () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('dedup.fifo', { FifoQueue: 'true' }, {});
    const send = (body: string) => sqs.sendMessages(queue, [{ body, groupId: 'g', dedupId: 'd' }]);

    // Act
    send('first');
    now += 4 * 60_000;
    send('inside the window');
    now += 61_000;
    send('after the window');
    const received = sqs.receiveNow(queue, receive);
    sqs.close();

    // Assess
    expect(received.map(({ message }) => message.body)).toEqual(['first', 'after the window']);
  });

  it('refuses a visibility change that would keep a message hidden over 12 hours since its receive', () => {
    // Prepare
    const sqs = engine();
    const queue = sqs.createQueue('long', {}, {});
    sqs.sendMessages(queue, [{ body: 'x' }]);
    const [received] = sqs.receiveNow(queue, { ...receive, visibilityTimeout: 43_200 });
    now += 3_600_000;

    // Act
    const tooLong = (): void => sqs.changeVisibility(queue, received?.receiptHandle ?? '', 43_200);
    const fits = (): void => sqs.changeVisibility(queue, received?.receiptHandle ?? '', 39_600);

    // Assess
    expect(tooLong).toThrow(/beyond the limit/);
    expect(fits).not.toThrow();
    sqs.close();
  });
});
