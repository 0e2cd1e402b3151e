import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, type SqsTarget, startSqsTarget } from '../support/sqs-target.ts';

describe('SQS conformance: queues', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('creates a queue, finds it by name and lists it by prefix', async () => {
    // Prepare
    const { url, name } = await target.createQueue('conf-create');

    // Act
    const byName = await target.client.send(new GetQueueUrlCommand({ QueueName: name }));
    const listed = await target.client.send(new ListQueuesCommand({ QueueNamePrefix: name }));

    // Assess
    expect(byName.QueueUrl).toBe(url);
    expect(listed.QueueUrls).toEqual([url]);
    expect(new URL(url).pathname.endsWith(`/${name}`)).toBe(true);
  });

  it('is idempotent for identical attributes and rejects different ones with QueueNameExists', async () => {
    // Prepare
    const { url, name } = await target.createQueue('conf-idem', { VisibilityTimeout: '40' });

    // Act
    const again = await target.client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '40' } }),
    );
    const conflicting = errorName(
      target.client.send(
        new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '41' } }),
      ),
    );

    // Assess
    expect(again.QueueUrl).toBe(url);
    expect(await conflicting).toBe('QueueNameExists');
  });

  it('answers QueueDoesNotExist for unknown queues', async () => {
    // Act
    const byName = errorName(
      target.client.send(new GetQueueUrlCommand({ QueueName: 'conf-no-such-queue-x1' })),
    );
    const { url } = await target.createQueue('conf-gone');
    await target.client.send(new DeleteQueueCommand({ QueueUrl: url }));
    const byUrl = errorName(target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));

    // Assess
    expect(await byName).toBe('QueueDoesNotExist');
    expect(await byUrl).toBe('QueueDoesNotExist');
  });

  it('returns defaults and computed attributes, and sets attributes', async () => {
    // Prepare
    const { url, name } = await target.createQueue('conf-attrs');

    // Act
    await target.client.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { VisibilityTimeout: '45', DelaySeconds: '2' },
      }),
    );
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );

    // Assess
    expect(Attributes).toMatchObject({
      VisibilityTimeout: '45',
      DelaySeconds: '2',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    expect(Attributes?.QueueArn).toMatch(new RegExp(`^arn:aws:sqs:[^:]+:[^:]+:${name}$`));
    expect(Number(Attributes?.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
  });

  it('returns only the attributes asked for', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-attr-pick');

    // Act
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
    );

    // Assess
    expect(Attributes).toEqual({ VisibilityTimeout: '30' });
  });

  it.each([
    ['VisibilityTimeout', '43201'],
    ['VisibilityTimeout', '-1'],
    ['DelaySeconds', '901'],
    ['MaximumMessageSize', '1023'],
    ['MaximumMessageSize', '1048577'],
    ['MessageRetentionPeriod', '59'],
    ['ReceiveMessageWaitTimeSeconds', '21'],
    ['VisibilityTimeout', 'soon'],
  ])('rejects %s=%s with InvalidAttributeValue', async (attribute, value) => {
    // Prepare
    const { url } = await target.createQueue('conf-bad-attr');

    // Act
    const name = await errorName(
      target.client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { [attribute]: value } }),
      ),
    );

    // Assess
    expect(name).toBe('InvalidAttributeValue');
  });

  it('accepts MaximumMessageSize up to 1 MiB', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-1mib');

    // Act
    await target.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1048576' } }),
    );
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }),
    );

    // Assess
    expect(Attributes?.MaximumMessageSize).toBe('1048576');
  });

  it('rejects an unknown attribute name with InvalidAttributeName', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-unknown-attr');

    // Act
    const onGet = errorName(
      target.client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['NoSuchAttribute' as 'All'] }),
      ),
    );
    const onSet = errorName(
      target.client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { NoSuchAttribute: '1' } as never }),
      ),
    );

    // Assess
    expect(await onGet).toBe('InvalidAttributeName');
    expect(await onSet).toBe('InvalidAttributeName');
  });

  it('tags, lists and untags a queue', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-tags');

    // Act
    await target.client.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'media', env: 'test' } }));
    const tagged = await target.client.send(new ListQueueTagsCommand({ QueueUrl: url }));
    await target.client.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    const untagged = await target.client.send(new ListQueueTagsCommand({ QueueUrl: url }));

    // Assess
    expect(tagged.Tags).toEqual({ team: 'media', env: 'test' });
    expect(untagged.Tags).toEqual({ team: 'media' });
  });

  it('purges every message of a queue', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-purge');
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));

    // Act
    await target.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );

    // Assess
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('rejects invalid queue names', async () => {
    // Act
    const name = await errorName(target.client.send(new CreateQueueCommand({ QueueName: 'bad name!' })));

    // Assess
    expect(name).toBe('InvalidParameterValue');
  });
});
