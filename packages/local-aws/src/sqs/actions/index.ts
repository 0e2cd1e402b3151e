import type { Action } from './action.ts';
import { deleteMessage, deleteMessageBatch } from './delete.ts';
import { cancelMessageMoveTask, listMessageMoveTasks, startMessageMoveTask } from './move-tasks.ts';
import {
  createQueue,
  deleteQueue,
  getQueueAttributes,
  getQueueUrl,
  listDeadLetterSourceQueues,
  listQueues,
  purgeQueue,
  setQueueAttributes,
} from './queues.ts';
import { receiveMessage } from './receive.ts';
import { sendMessage, sendMessageBatch } from './send.ts';
import { listQueueTags, tagQueue, untagQueue } from './tags.ts';
import { changeMessageVisibility, changeMessageVisibilityBatch } from './visibility.ts';

/** Every action the server implements, by AWS action name. */
export const ACTIONS: ReadonlyMap<string, Action> = new Map<string, Action>([
  ['CreateQueue', createQueue],
  ['GetQueueUrl', getQueueUrl],
  ['ListQueues', listQueues],
  ['DeleteQueue', deleteQueue],
  ['PurgeQueue', purgeQueue],
  ['GetQueueAttributes', getQueueAttributes],
  ['SetQueueAttributes', setQueueAttributes],
  ['TagQueue', tagQueue],
  ['UntagQueue', untagQueue],
  ['ListQueueTags', listQueueTags],
  ['SendMessage', sendMessage],
  ['SendMessageBatch', sendMessageBatch],
  ['ReceiveMessage', receiveMessage],
  ['DeleteMessage', deleteMessage],
  ['DeleteMessageBatch', deleteMessageBatch],
  ['ChangeMessageVisibility', changeMessageVisibility],
  ['ChangeMessageVisibilityBatch', changeMessageVisibilityBatch],
  ['ListDeadLetterSourceQueues', listDeadLetterSourceQueues],
  ['StartMessageMoveTask', startMessageMoveTask],
  ['ListMessageMoveTasks', listMessageMoveTasks],
  ['CancelMessageMoveTask', cancelMessageMoveTask],
]);
