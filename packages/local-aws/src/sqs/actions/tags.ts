import { invalid } from '../errors.ts';
import { requiredString, stringList, stringMap } from '../validate.ts';
import type { Action } from './action.ts';

export const tagQueue: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const tags = stringMap(input, 'Tags');
  if (Object.keys(tags).length === 0)
    throw invalid('MissingParameter', 'The request must contain the parameter Tags.');
  const merged = { ...queue.tags, ...tags };
  if (Object.keys(merged).length > 50)
    throw invalid('InvalidParameterValue', 'Too many tags added for queue. Maximum is 50.');
  engine.store.transaction(() => engine.store.updateQueueTags(queue.id, merged));
  return {};
};

export const untagQueue: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const keys = stringList(input, 'TagKeys');
  if (keys.length === 0) throw invalid('MissingParameter', 'The request must contain the parameter TagKeys.');
  const remaining = { ...queue.tags };
  for (const key of keys) delete remaining[key];
  engine.store.transaction(() => engine.store.updateQueueTags(queue.id, remaining));
  return {};
};

export const listQueueTags: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  return Object.keys(queue.tags).length === 0 ? {} : { Tags: queue.tags };
};
