import { describe, expect, test } from 'vitest';
import { loadAwsSettings } from './aws-config.ts';
import { ConfigError, JobsError } from './errors.ts';

describe('AWS settings', () => {
  test('nothing set: local-aws development defaults', () => {
    const settings = loadAwsSettings({});

    expect(settings.mode).toBe('local');
    expect(settings.bucket).toBe('media');
    expect(settings.queueUrl).toBe('http://127.0.0.1:4566/000000000000/media-jobs');
    expect(settings.s3).toMatchObject({ endpoint: 'http://127.0.0.1:4567', forcePathStyle: true });
  });

  test("the seed's variable names work as aliases", () => {
    const settings = loadAwsSettings({
      AWS_S3_REGION: 'ap-northeast-2',
      AWS_S3_BUCKET_NAME: 'legacy-bucket',
      AWS_SQS_READY_QUEUE_URL: 'https://sqs.ap-northeast-2.amazonaws.com/123/ready',
      AWS_S3_ACCESS_KEY: 'AKIA1',
      AWS_S3_SECRET_KEY: 's3secret',
      AWS_SQS_ACCESS_KEY: 'AKIA2',
      AWS_SQS_SECRET_KEY: 'sqssecret',
    });

    expect(settings).toMatchObject({ mode: 'aws', region: 'ap-northeast-2', bucket: 'legacy-bucket' });
    expect(settings.s3.credentials).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's3secret' });
    expect(settings.sqs.credentials).toEqual({ accessKeyId: 'AKIA2', secretAccessKey: 'sqssecret' });
    expect(settings.s3.endpoint).toBeUndefined();
  });

  test('a partial AWS configuration names every missing or bad value', () => {
    let error: unknown;
    try {
      loadAwsSettings({ MEDIA_BUCKET: 'b', AWS_ENDPOINT_URL_S3: 'not a url' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(JobsError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('JOBS_QUEUE_URL');
    expect(problems).toContain('AWS_REGION');
    expect(problems).toContain('AWS_ENDPOINT_URL_S3 must be an http(s) URL');
  });
});
