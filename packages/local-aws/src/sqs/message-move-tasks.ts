import { randomUUID } from 'node:crypto';
import { invalid } from './errors.ts';
import type { QueueRecord } from './model.ts';
import { parseRedrivePolicy } from './queue-attributes.ts';
import type { SqsEngine } from './sqs-engine.ts';

/** State of one message move task (StartMessageMoveTask). */
export interface MessageMoveTask {
  taskHandle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn: string | undefined;
  maxNumberOfMessagesPerSecond: number | undefined;
  moved: number;
  toMove: number;
  failureReason: string | undefined;
  startedAt: number;
}

const CHUNK = 100;

/**
 * Redrive from a dead-letter queue: moves the messages present when the task starts, in send order, back to
 * their source queue (or to `destinationArn`), resetting their receive count. Runs in the background in small
 * transactions; tasks are kept in memory (not across restarts).
 */
export class MessageMoveTasks {
  readonly #engine: SqsEngine;
  readonly #tasks: MessageMoveTask[] = [];

  constructor(engine: SqsEngine) {
    this.#engine = engine;
  }

  start(
    source: QueueRecord,
    destination: QueueRecord | undefined,
    rate: number | undefined,
  ): MessageMoveTask {
    const engine = this.#engine;
    const sourceArn = engine.queueArn(source.name);
    const isDeadLetterQueue = engine.store.listQueues().some((queue) => {
      const policy = queue.attributes.RedrivePolicy;
      return policy !== undefined && parseRedrivePolicy(policy).deadLetterTargetArn === sourceArn;
    });
    if (!isDeadLetterQueue) {
      throw invalid('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
    }
    if (this.#tasks.some((task) => task.sourceArn === sourceArn && task.status === 'RUNNING')) {
      throw invalid(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    }
    const counts = engine.counts(source);
    const task: MessageMoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), 'utf8').toString(
        'base64url',
      ),
      status: 'RUNNING',
      sourceArn,
      destinationArn: destination === undefined ? undefined : engine.queueArn(destination.name),
      maxNumberOfMessagesPerSecond: rate,
      moved: 0,
      toMove: counts.visible + counts.notVisible + counts.delayed,
      failureReason: undefined,
      startedAt: Date.now(),
    };
    this.#tasks.unshift(task);
    const lastSeq = engine.store.maxSeq(source.id);
    this.#run(task, source.id, destination?.id, lastSeq, 0);
    return task;
  }

  #run(
    task: MessageMoveTask,
    sourceId: number,
    destinationId: number | undefined,
    lastSeq: number,
    afterSeq: number,
  ): void {
    const engine = this.#engine;
    if (engine.closed) return;
    if (task.status === 'CANCELLING') {
      task.status = 'CANCELLED';
      return;
    }
    const limit = Math.min(CHUNK, task.maxNumberOfMessagesPerSecond ?? CHUNK);
    const batch = engine.store
      .messagesAfter(sourceId, afterSeq, limit)
      .filter((message) => message.seq <= lastSeq);
    if (batch.length === 0) {
      task.status = 'COMPLETED';
      return;
    }
    const woken = new Set<number>();
    try {
      engine.store.transaction(() => {
        const now = Date.now();
        for (const message of batch) {
          let target = destinationId;
          if (target === undefined) {
            const origin =
              message.deadLetterSourceArn === undefined
                ? undefined
                : engine.queueByArn(message.deadLetterSourceArn);
            if (origin === undefined)
              throw new Error(`the source queue of message ${message.id} no longer exists`);
            target = origin.id;
          }
          engine.store.redriveMessage(message.seq, target, now);
          woken.add(target);
        }
      });
    } catch (error) {
      task.status = 'FAILED';
      task.failureReason = error instanceof Error ? error.message : String(error);
      return;
    }
    task.moved += batch.length;
    for (const queueId of woken) engine.waiters.notify(queueId);
    const next = (): void => this.#run(task, sourceId, destinationId, lastSeq, batch.at(-1)?.seq ?? lastSeq);
    if (task.maxNumberOfMessagesPerSecond === undefined) setImmediate(next);
    else setTimeout(next, Math.ceil((batch.length / task.maxNumberOfMessagesPerSecond) * 1000)).unref();
  }

  list(sourceArn: string, maxResults: number): MessageMoveTask[] {
    return this.#tasks.filter((task) => task.sourceArn === sourceArn).slice(0, maxResults);
  }

  cancel(taskHandle: string): MessageMoveTask {
    const task = this.#tasks.find((candidate) => candidate.taskHandle === taskHandle);
    if (task === undefined || task.status !== 'RUNNING') {
      throw invalid('ResourceNotFoundException', 'Task does not exist or is not running.');
    }
    task.status = 'CANCELLING';
    return task;
  }
}
