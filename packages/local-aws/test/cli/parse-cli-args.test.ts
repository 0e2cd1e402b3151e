import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../src/local-aws-error.ts';
import { parseCliArgs, parseNotifySpec, parseQueueSpec } from '../../src/parse-cli-args.ts';

describe('parseCliArgs', () => {
  it('turns signature checks off with --no-signature-checks (they are on without it)', () => {
    expect(parseCliArgs(['start', '--no-signature-checks'])).toEqual({
      command: 'start',
      json: false,
      options: { checkSignatures: false },
    });
    expect(parseCliArgs(['start'])).toEqual({ command: 'start', json: false, options: {} });
  });

  it('turns the dev script flags into startLocalAws options', () => {
    // Act
    const command = parseCliArgs([
      'start',
      '--data-dir',
      '../../.local-aws',
      '--sqs-port',
      '4566',
      '--s3-port',
      '4567',
      '--bucket',
      'media',
      '--queue',
      'media-jobs,dlq=media-jobs-dlq,maxReceiveCount=5,visibilityTimeout=60',
      '--notify',
      'media/uploads/=media-jobs',
    ]);

    // Assess
    expect(command).toEqual({
      command: 'start',
      json: false,
      options: {
        dataDir: '../../.local-aws',
        sqsPort: 4566,
        s3Port: 4567,
        buckets: ['media'],
        queues: [
          {
            name: 'media-jobs',
            attributes: { VisibilityTimeout: '60' },
            deadLetter: { name: 'media-jobs-dlq', maxReceiveCount: 5 },
          },
        ],
        notifications: [{ bucket: 'media', queue: 'media-jobs', prefix: 'uploads/' }],
      },
    });
  });

  it('answers --help and -h', () => {
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['start', '-h'])).toEqual({ command: 'help' });
  });

  it.each([
    [['start', '--bogus']],
    [['start', '--sqs-port', 'abc']],
    [['start', '--s3-port', '99999']],
    [['stop']],
    [[]],
    [['start', 'extra']],
    [['start', '--queue', 'jobs,maxReceiveCount=3']],
    [['start', '--queue', 'jobs,visibility=3']],
    [['start', '--notify', 'media-no-queue']],
  ])('rejects %j with InvalidConfigurationError', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(InvalidConfigurationError);
  });

  it('merges a JSON config file with flags, a relative dataDir being relative to the file', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'local-aws-config-'));
    const file = join(dir, 'local-aws.json');
    await writeFile(
      file,
      JSON.stringify({ dataDir: 'state', buckets: ['a'], queues: [{ name: 'q' }], sqsPort: 1234 }),
    );

    try {
      // Act
      const command = parseCliArgs(['start', '--config', file, '--bucket', 'b', '--sqs-port', '0']);

      // Assess
      expect(command).toMatchObject({
        command: 'start',
        options: { dataDir: join(dir, 'state'), buckets: ['a', 'b'], queues: [{ name: 'q' }], sqsPort: 0 },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a config file with unknown options', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'local-aws-config-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ bukets: ['typo'] }));

    try {
      // Act / Assess
      expect(() => parseCliArgs(['start', '--config', file])).toThrow(/unknown option "bukets"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('queue and notify specs', () => {
  it('passes other queue attributes through with their SQS names', () => {
    expect(parseQueueSpec('jobs.fifo,contentBasedDeduplication=true,delaySeconds=2')).toEqual({
      name: 'jobs.fifo',
      attributes: { ContentBasedDeduplication: 'true', DelaySeconds: '2' },
    });
  });

  it('reads a bucket without prefix, and suffix, events and id settings', () => {
    expect(parseNotifySpec('media=jobs')).toEqual({ bucket: 'media', queue: 'jobs' });
    expect(
      parseNotifySpec(
        'media/in/a=b/=jobs,suffix=.mp4,events=s3:ObjectCreated:Put+s3:ObjectCreated:Copy,id=x',
      ),
    ).toEqual({
      bucket: 'media',
      prefix: 'in/a=b/',
      queue: 'jobs',
      suffix: '.mp4',
      events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Copy'],
      id: 'x',
    });
  });
});
