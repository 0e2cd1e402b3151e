import { invalid } from '../errors.ts';
import type { MessageMoveTask } from '../message-move-tasks.ts';
import type { ActionOutput, QueueRecord } from '../model.ts';
import type { SqsEngine } from '../sqs-engine.ts';
import { optionalInteger, optionalString, requiredString } from '../validate.ts';
import type { Action } from './action.ts';

function queueOfArn(engine: SqsEngine, arn: string, parameter: string): QueueRecord {
  const queue = engine.queueByArn(arn);
  if (queue === undefined) {
    throw invalid(
      'ResourceNotFoundException',
      `The resource that you specified for the ${parameter} parameter doesn't exist.`,
    );
  }
  return queue;
}

function taskOutput(task: MessageMoveTask): ActionOutput {
  return {
    TaskHandle: task.status === 'RUNNING' ? task.taskHandle : undefined,
    Status: task.status,
    SourceArn: task.sourceArn,
    DestinationArn: task.destinationArn,
    MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond,
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    FailureReason: task.failureReason,
    StartedTimestamp: task.startedAt,
  };
}

export const startMessageMoveTask: Action = (input, { engine }) => {
  const source = queueOfArn(engine, requiredString(input, 'SourceArn'), 'SourceArn');
  const destinationArn = optionalString(input, 'DestinationArn');
  const destination =
    destinationArn === undefined ? undefined : queueOfArn(engine, destinationArn, 'DestinationArn');
  const rate = optionalInteger(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
  const task = engine.moveTasks.start(source, destination, rate);
  return { TaskHandle: task.taskHandle };
};

export const listMessageMoveTasks: Action = (input, { engine }) => {
  const source = queueOfArn(engine, requiredString(input, 'SourceArn'), 'SourceArn');
  const maxResults = optionalInteger(input, 'MaxResults', 1, 10) ?? 1;
  return { Results: engine.moveTasks.list(engine.queueArn(source.name), maxResults).map(taskOutput) };
};

export const cancelMessageMoveTask: Action = (input, { engine }) => {
  const task = engine.moveTasks.cancel(requiredString(input, 'TaskHandle'));
  return { ApproximateNumberOfMessagesMoved: task.moved };
};
