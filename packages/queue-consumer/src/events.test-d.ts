import type { Message } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type HandBackReason,
  QueueConsumer,
  type QueueConsumerError,
  type QueueConsumerEvents,
} from './index.ts';
import { TypedEventEmitter } from './typed-event-emitter.ts';

const consumer = new QueueConsumer({
  sqs: new SQSClient({}),
  queueUrl: 'http://127.0.0.1:1/000000000000/q',
  handler: async () => {},
});

describe('QueueConsumer events', () => {
  test('listeners get the arguments of their event', () => {
    consumer.on('received', (message) => {
      expectTypeOf(message).toEqualTypeOf<Message>();
    });
    consumer.on('failed', (message, error, info) => {
      expectTypeOf(message).toEqualTypeOf<Message>();
      expectTypeOf(error).toBeUnknown();
      expectTypeOf(info).toEqualTypeOf<{ permanent: boolean; durationMs: number }>();
    });
    consumer.on('handedBack', (_message, info) => {
      expectTypeOf(info.reason).toEqualTypeOf<HandBackReason>();
    });
    consumer.on('error', (error) => {
      expectTypeOf(error).toEqualTypeOf<QueueConsumerError>();
      expectTypeOf(error.code).toExtend<string>();
    });
    consumer.once('idle', (...args) => {
      expectTypeOf(args).toEqualTypeOf<[]>();
    });
  });

  test('on and once return the function that removes the listener', () => {
    expectTypeOf(consumer.on('stopped', () => {})).toEqualTypeOf<() => void>();
    expectTypeOf(consumer.once('started', () => {})).toEqualTypeOf<() => void>();
  });

  test('unknown events and wrong listener signatures do not compile', () => {
    // @ts-expect-error: no such event
    consumer.on('finished', () => {});
    // @ts-expect-error: 'processed' passes a Message first, not a string
    consumer.on('processed', (id: string) => id);
    // @ts-expect-error: only the consumer emits its events
    consumer.emit('heartbeat', { extended: 3 });
  });
});

describe('TypedEventEmitter', () => {
  interface Events {
    tick: [n: number];
    done: [];
  }

  test('emit takes exactly the tuple of the event', () => {
    const emitter = new TypedEventEmitter<Events>();
    expectTypeOf(emitter.emit('tick', 1)).toEqualTypeOf<boolean>();
    emitter.emit('done');
    // @ts-expect-error: tick needs a number
    emitter.emit('tick');
    // @ts-expect-error: done takes nothing
    emitter.emit('done', 1);
  });

  test('the event map of QueueConsumer is usable on its own', () => {
    expectTypeOf<QueueConsumerEvents['deleted']>().toEqualTypeOf<[message: Message]>();
  });
});
