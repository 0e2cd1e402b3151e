import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  type LocalAws,
  type S3EventNotification,
  type S3TestEvent,
  startLocalAws,
} from '../../src/index.ts';
import { countMessages, receiveJson } from '../support/queue-helpers.ts';

describe('S3 event notifications', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;
  let sqs: SQSClient;
  let jobsUrl: string;
  let thumbsUrl: string;

  beforeAll(async () => {
    aws = await startLocalAws({
      region: 'eu-west-3',
      queues: [{ name: 'jobs' }, { name: 'thumbs' }],
      buckets: ['media'],
      notifications: [
        { bucket: 'media', queue: 'jobs', prefix: 'uploads/', id: 'uploads-to-jobs' },
        {
          bucket: 'media',
          queue: 'thumbs',
          prefix: 'images/',
          suffix: '.jpg',
          events: ['s3:ObjectCreated:Put'],
        },
      ],
      sendTestEvent: true,
    });
    s3 = new S3Client(aws.clientConfig().s3);
    sqs = new SQSClient(aws.clientConfig().sqs);
    jobsUrl = aws.queueUrl('jobs');
    thumbsUrl = aws.queueUrl('thumbs');
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  it('sends s3:TestEvent to each queue when the notification is configured', async () => {
    // Act
    const jobs = await receiveJson<S3TestEvent>(sqs, jobsUrl);
    const thumbs = await receiveJson<S3TestEvent>(sqs, thumbsUrl);

    // Assess
    for (const { body } of [jobs, thumbs]) {
      expect(body).toEqual({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        Bucket: 'media',
        RequestId: expect.stringMatching(/^[0-9A-F]{16}$/),
        HostId: expect.any(String),
      });
    }
  });

  it('delivers a PutObject as the S3 event JSON', async () => {
    // Prepare
    const before = Date.now();

    // Act
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'media', Key: 'uploads/job-1/clip.mp4', Body: 'not really a video' }),
    );
    const { body } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    expect(body).toEqual({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'eu-west-3',
          eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: `AWS:${aws.credentials.accessKeyId}` },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: {
            'x-amz-request-id': put.$metadata.requestId,
            'x-amz-id-2': put.$metadata.extendedRequestId,
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'uploads-to-jobs',
            bucket: {
              name: 'media',
              ownerIdentity: { principalId: expect.any(String) },
              arn: 'arn:aws:s3:::media',
            },
            object: {
              key: 'uploads/job-1/clip.mp4',
              size: 'not really a video'.length,
              eTag: put.ETag?.replaceAll('"', ''),
              sequencer: expect.stringMatching(/^[0-9A-F]{18}$/),
            },
          },
        },
      ],
    });
    expect(Date.parse(body.Records[0]?.eventTime ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('delivers a multipart upload (lib-storage) as ObjectCreated:CompleteMultipartUpload', async () => {
    // Prepare: two parts (S3's minimum part size is 5 MiB)
    const body = Buffer.alloc(5 * 1024 * 1024 + 1024, 7);

    // Act
    await new Upload({
      client: s3,
      params: { Bucket: 'media', Key: 'uploads/job-2/big.bin', Body: body },
      partSize: 5 * 1024 * 1024,
      queueSize: 1,
    }).done();
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'uploads/job-2/big.bin' }));
    const record = event.Records[0];
    expect(record?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(record?.s3.object).toMatchObject({
      key: 'uploads/job-2/big.bin',
      size: body.length,
      eTag: head.ETag?.replaceAll('"', ''),
    });
  });

  it('delivers a PUT to a presigned URL (fetch, no SDK) as ObjectCreated:Put', async () => {
    // Prepare
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: 'media', Key: 'uploads/job-3/a.mov' }),
      {
        expiresIn: 300,
      },
    );

    // Act
    const response = await fetch(url, { method: 'PUT', body: 'presigned bytes' });
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    expect(response.status).toBe(200);
    expect(event.Records[0]?.eventName).toBe('ObjectCreated:Put');
    expect(event.Records[0]?.s3.object).toMatchObject({ key: 'uploads/job-3/a.mov', size: 15 });
  });

  it('refuses an anonymous browser form upload (POST), as a private bucket does', async () => {
    const form = new FormData();
    form.append('key', 'uploads/job-7/refused.mp4');
    form.append('file', new Blob(['form bytes']), 'refused.mp4');

    const response = await fetch(`${aws.s3Endpoint}/media`, { method: 'POST', body: form });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('delivers a browser form upload (POST) as ObjectCreated:Post (signature checks off)', async () => {
    // Prepare: s3rver does not check POST policies, so form uploads need checkSignatures: false.
    const open = await startLocalAws({
      queues: [{ name: 'jobs' }],
      buckets: ['media'],
      notifications: [{ bucket: 'media', queue: 'jobs', prefix: 'uploads/' }],
      checkSignatures: false,
    });
    const openSqs = new SQSClient(open.clientConfig().sqs);
    try {
      const form = new FormData();
      form.append('key', 'uploads/job-7/from form.mp4');
      form.append('Content-Type', 'video/mp4');
      form.append('file', new Blob(['form bytes']), 'from form.mp4');

      // Act
      const response = await fetch(`${open.s3Endpoint}/media`, { method: 'POST', body: form });
      const { body: event } = await receiveJson<S3EventNotification>(openSqs, open.queueUrl('jobs'));

      // Assess
      expect(response.status).toBe(204);
      expect(event.Records[0]?.eventName).toBe('ObjectCreated:Post');
      expect(event.Records[0]?.userIdentity.principalId).toBe('ANONYMOUS_PRINCIPAL');
      expect(event.Records[0]?.s3.object).toMatchObject({ key: 'uploads/job-7/from+form.mp4', size: 10 });
    } finally {
      openSqs.destroy();
      await open.stop();
    }
  });

  it('takes a multipart upload whose parts a browser PUTs to presigned URLs', async () => {
    // Prepare
    const Key = 'uploads/job-8/browser.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'media', Key }));
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')];

    // Act: each part goes to its own presigned URL, as a browser uploader would send it
    const uploaded: CompletedPart[] = [];
    for (const [index, part] of parts.entries()) {
      const PartNumber = index + 1;
      const url = await getSignedUrl(
        s3,
        new UploadPartCommand({ Bucket: 'media', Key, UploadId, PartNumber }),
        {
          expiresIn: 300,
        },
      );
      const response = await fetch(url, {
        method: 'PUT',
        body: part,
        headers: { Origin: 'http://localhost:5173' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-expose-headers')).toContain('ETag');
      uploaded.push({ PartNumber, ETag: response.headers.get('etag') ?? '' });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'media',
        Key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    expect(event.Records[0]?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(event.Records[0]?.s3.object).toMatchObject({ key: Key, size: 5 * 1024 * 1024 + 4 });
  });

  it('answers a browser CORS preflight for a presigned PUT', async () => {
    // Act
    const response = await fetch(`${aws.s3Endpoint}/media/uploads/x.mp4`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('delivers CopyObject as ObjectCreated:Copy with the ETag of the copy', async () => {
    // Prepare: the source lies outside the notified prefix
    const source = await s3.send(
      new PutObjectCommand({ Bucket: 'media', Key: 'library/src.txt', Body: 'copy me' }),
    );

    // Act
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'media',
        Key: 'uploads/job-4/copied.txt',
        CopySource: 'media/library/src.txt',
      }),
    );
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    expect(event.Records[0]?.eventName).toBe('ObjectCreated:Copy');
    expect(event.Records[0]?.s3.object).toMatchObject({
      key: 'uploads/job-4/copied.txt',
      size: 7,
      eTag: source.ETag?.replaceAll('"', ''),
    });
  });

  it('encodes keys with spaces, +, quotes and unicode as S3 does, and they decode back', async () => {
    // Prepare
    const key = 'uploads/job 5/my "best" clip+1 été.mp4';

    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: 'x' }));
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    const encoded = event.Records[0]?.s3.object.key ?? '';
    expect(encoded).toBe('uploads/job+5/my+%22best%22+clip%2B1+%C3%A9t%C3%A9.mp4');
    const fetched = await s3.send(new GetObjectCommand({ Bucket: 'media', Key: decodeS3EventKey(encoded) }));
    expect(await fetched.Body?.transformToString()).toBe('x');
  });

  it('copies from a source key with + and spaces (S3 decodes x-amz-copy-source fully)', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'library/a+b c.txt', Body: 'plus' }));

    // Act
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'media',
        Key: 'uploads/job-6/out.txt',
        CopySource: `media/${encodeURIComponent('library/a+b c.txt')}`,
      }),
    );
    const { body: event } = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    expect(event.Records[0]?.s3.object).toMatchObject({ key: 'uploads/job-6/out.txt', size: 4 });
  });

  it('sends nothing for keys outside the prefix (outputs never start jobs)', async () => {
    // Act: the notification is enqueued before S3 answers, so the queue is final when put() resolves
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'outputs/job-1/720p.mp4', Body: 'out' }));
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'images/photo.png', Body: 'png' }));

    // Assess
    expect(await countMessages(sqs, jobsUrl)).toBe(0);
    expect(await countMessages(sqs, thumbsUrl)).toBe(0);
  });

  it('applies prefix, suffix and event type together', async () => {
    // Act
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'media',
        Key: 'images/copied.jpg',
        CopySource: 'media/library/src.txt',
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'images/cat.jpg', Body: 'jpg' }));
    const { body: event } = await receiveJson<S3EventNotification>(sqs, thumbsUrl);

    // Assess: the copy (not a Put) was filtered out, the Put came through
    expect(event.Records[0]?.s3.object.key).toBe('images/cat.jpg');
    expect(event.Records[0]?.s3.configurationId).toBe('media-to-thumbs');
    expect(await countMessages(sqs, thumbsUrl)).toBe(0);
  });

  it('gives later events of a key greater sequencers', async () => {
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/seq.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/seq.txt', Body: '22' }));
    const first = await receiveJson<S3EventNotification>(sqs, jobsUrl);
    const second = await receiveJson<S3EventNotification>(sqs, jobsUrl);

    // Assess
    const bySize = [first.body, second.body]
      .map((event) => event.Records[0]?.s3.object)
      .sort((a, b) => (a?.size ?? 0) - (b?.size ?? 0));
    expect((bySize[1]?.sequencer ?? '') > (bySize[0]?.sequencer ?? '')).toBe(true);
  });
});
