import { expect, test } from 'vitest';
import { newJobId } from './job-id.ts';
import { jobMessageBody, parseJobMessage } from './job-message.ts';

test('a job message round-trips; anything else is not one', () => {
  const jobId = newJobId();

  expect(parseJobMessage(jobMessageBody(jobId, 'reconciler'))).toEqual({
    type: 'media-server.job',
    jobId,
    reason: 'reconciler',
  });
  expect(parseJobMessage('{"Records":[]}')).toBeUndefined();
  expect(parseJobMessage('not json')).toBeUndefined();
  expect(parseJobMessage('{"type":"media-server.job","jobId":"../x"}')).toBeUndefined();
  expect(parseJobMessage('null')).toBeUndefined();
});
