import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import { errorOf } from '../support/s3-helpers.ts';

const BUCKET = 'media';

/** The `<Code>` of an S3 error XML body. */
async function errorCode(response: Response): Promise<string | undefined> {
  return (await response.text()).match(/<Code>([^<]+)<\/Code>/)?.[1];
}

describe('S3 signature checks (on by default)', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startLocalAws({ buckets: [BUCKET] });
    s3 = new S3Client(aws.clientConfig().s3);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing.txt', Body: 'hello' }));
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  async function presignedPut(key: string, length: number, type: string): Promise<string> {
    return getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentLength: length, ContentType: type }),
      { expiresIn: 300, signableHeaders: new Set(['content-length', 'content-type']) },
    );
  }

  it('accepts a presigned PUT with the signed size and type', async () => {
    // Prepare
    const url = await presignedPut('signed/ok.bin', 5, 'video/mp4');

    // Act
    const response = await fetch(url, {
      method: 'PUT',
      body: 'abcde',
      headers: { 'content-type': 'video/mp4' },
    });

    // Assess
    expect(response.status).toBe(200);
  });

  it("accepts requests whose query has !'()* (SigV4 encodes them, encodeURIComponent does not)", async () => {
    // Prepare
    const Key = "it's (1)*!.txt";
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));

    // Act
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "it's (1)*!" }));
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: BUCKET,
        Key,
        ResponseContentDisposition: 'attachment; filename="a (1).txt"',
      }),
      { expiresIn: 300 },
    );
    const response = await fetch(url);

    // Assess
    expect(listed.KeyCount).toBe(1);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="a (1).txt"');
  });

  it('refuses a presigned PUT with another Content-Length than signed', async () => {
    // Prepare
    const url = await presignedPut('signed/length.bin', 5, 'video/mp4');

    // Act
    const response = await fetch(url, {
      method: 'PUT',
      body: 'abcdef',
      headers: { 'content-type': 'video/mp4' },
    });

    // Assess
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    expect(
      await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'signed/length.bin' }))),
    ).toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('refuses a presigned PUT with another Content-Type than signed', async () => {
    const url = await presignedPut('signed/type.bin', 5, 'video/mp4');

    const response = await fetch(url, {
      method: 'PUT',
      body: 'abcde',
      headers: { 'content-type': 'text/html' },
    });

    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned GET whose signature was changed', async () => {
    const url = new URL(
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'existing.txt' }), {
        expiresIn: 300,
      }),
    );
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set('X-Amz-Signature', `${signature.startsWith('0') ? '1' : '0'}${signature.slice(1)}`);

    const response = await fetch(url);

    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned GET for another key than signed', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'existing.txt' }), {
      expiresIn: 300,
    });

    const response = await fetch(url.replace('/existing.txt?', '/other.txt?'));

    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired presigned GET', async () => {
    // Prepare: signed an hour ago, valid for a minute.
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'existing.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3_600_000),
    });

    const response = await fetch(url);

    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('Request has expired');
  });

  it('refuses an unsigned (anonymous) GET, as a private bucket does', async () => {
    const response = await fetch(`${aws.s3Endpoint}/${BUCKET}/existing.txt`);

    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
  });

  it('refuses SDK requests signed with a wrong secret or an unknown key', async () => {
    const config = aws.clientConfig().s3;
    const wrongSecret = new S3Client({
      ...config,
      credentials: { accessKeyId: config.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    const unknownKey = new S3Client({
      ...config,
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' },
    });
    try {
      const wrong = await errorOf(
        wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'existing.txt' })),
      );
      const unknown = await errorOf(
        unknownKey.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'existing.txt' })),
      );

      expect(wrong.$metadata.httpStatusCode).toBe(403);
      expect(wrong.name).toBe('SignatureDoesNotMatch');
      expect(unknown.$metadata.httpStatusCode).toBe(403);
      expect(unknown.name).toBe('InvalidAccessKeyId');
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
  });
});

describe('S3 signature checks off (checkSignatures: false)', { timeout: 60_000 }, () => {
  it('accepts any credentials, a mismatched size and unsigned requests', async () => {
    // Prepare
    const aws = await startLocalAws({ buckets: [BUCKET], checkSignatures: false });
    const config = aws.clientConfig().s3;
    const anyKey = new S3Client({
      ...config,
      credentials: { accessKeyId: 'anyone', secretAccessKey: 'whatever' },
    });
    try {
      // Act
      await anyKey.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'hello' }));
      const url = await getSignedUrl(
        anyKey,
        new PutObjectCommand({ Bucket: BUCKET, Key: 'b.bin', ContentLength: 5 }),
        { expiresIn: 300, signableHeaders: new Set(['content-length']) },
      );
      const put = await fetch(url, { method: 'PUT', body: 'abcdef' });
      const anonymous = await fetch(`${aws.s3Endpoint}/${BUCKET}/a.txt`);

      // Assess
      expect(put.status).toBe(200);
      expect(anonymous.status).toBe(200);
      expect(await anonymous.text()).toBe('hello');
    } finally {
      anyKey.destroy();
      await aws.stop();
    }
  });
});
