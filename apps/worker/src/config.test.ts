import { ConfigError } from '@media-server/jobs';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.ts';

describe('loadWorkerConfig', () => {
  it('needs nothing for local development (local-aws on its dev ports)', () => {
    // Act
    const config = loadWorkerConfig({});

    // Assess
    expect(config.aws.mode).toBe('local');
    expect(config.aws.bucket).toBe('media');
    expect(config.httpPort).toBe(3001);
    expect(config.webhookSecret).toBe('dev-webhook-secret');
    expect(config.webhookAllowPrivateNetworks).toBe(true);
    expect(config.reconcileSchedule).toBe('0 * * * * *');
    expect(config.defaultPresets.video).toEqual(['mp4', 'hls', 'poster', 'sprite']);
    expect(config.concurrency).toBeGreaterThanOrEqual(1);
    // Short: the heartbeat holds long jobs; this bounds a crashed worker's job at 20 s invisible.
    expect(config.visibilityTimeoutSeconds).toBe(20);
    expect(config.ffmpegSandbox).toBe('auto');
  });

  it('FFMPEG_SANDBOX: required by default against AWS, validated when set', () => {
    const awsEnv = {
      AWS_REGION: 'eu-west-1',
      MEDIA_BUCKET: 'b',
      JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
      WEBHOOK_SECRET: 'whsec',
    };
    expect(loadWorkerConfig(awsEnv).ffmpegSandbox).toBe('required');
    expect(loadWorkerConfig({ ...awsEnv, FFMPEG_SANDBOX: 'off' }).ffmpegSandbox).toBe('off');
    expect(loadWorkerConfig({ FFMPEG_SANDBOX: 'required' }).ffmpegSandbox).toBe('required');
    expect(() => loadWorkerConfig({ FFMPEG_SANDBOX: 'yes' })).toThrow(
      /FFMPEG_SANDBOX must be required, auto or off/,
    );
  });

  it('WORKER_LIVE_HLS: on by default, off with false, anything else refused', () => {
    expect(loadWorkerConfig({}).liveHls).toBe(true);
    expect(loadWorkerConfig({ WORKER_LIVE_HLS: 'false' }).liveHls).toBe(false);
    expect(() => loadWorkerConfig({ WORKER_LIVE_HLS: 'yes' })).toThrow(
      /WORKER_LIVE_HLS must be true or false/,
    );
  });

  it('reads WORKER_VISIBILITY_TIMEOUT_SECONDS and refuses one too short for the heartbeat', () => {
    expect(loadWorkerConfig({ WORKER_VISIBILITY_TIMEOUT_SECONDS: '60' }).visibilityTimeoutSeconds).toBe(60);
    expect(() => loadWorkerConfig({ WORKER_VISIBILITY_TIMEOUT_SECONDS: '2' })).toThrow(
      /WORKER_VISIBILITY_TIMEOUT_SECONDS/,
    );
  });

  it("accepts the original deployment's variable names", () => {
    // Act
    const config = loadWorkerConfig({
      AWS_S3_REGION: 'eu-west-1',
      AWS_S3_BUCKET_NAME: 'old-bucket',
      AWS_SQS_READY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ready',
      AWS_S3_ACCESS_KEY: 'AKIAEXAMPLE',
      AWS_S3_SECRET_KEY: 'secret',
      WEBHOOK_SECRET: 'whsec',
    });

    // Assess
    expect(config.aws).toMatchObject({
      mode: 'aws',
      region: 'eu-west-1',
      bucket: 'old-bucket',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ready',
    });
    expect(config.aws.s3.credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
    expect(config.webhookAllowPrivateNetworks).toBe(false);
  });

  it('reports every bad or missing value at once, one clear line each', () => {
    // Act
    let error: unknown;
    try {
      loadWorkerConfig({
        MEDIA_BUCKET: 'media',
        WORKER_CONCURRENCY: 'lots',
        WORKER_HTTP_PORT: '70000',
        WORKER_MAX_RESOLUTION: 'big',
        WORKER_VIDEO_PRESETS: 'mp4,gif',
        RECONCILE_SCHEDULE: 'every minute',
        WORKER_POLL_SCHEDULE: 'often',
        LOG_LEVEL: 'loud',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe',
      });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(11);
    for (const name of [
      'JOBS_QUEUE_URL',
      'AWS_REGION',
      'WORKER_CONCURRENCY',
      'WORKER_HTTP_PORT',
      'WORKER_MAX_RESOLUTION',
      'WORKER_VIDEO_PRESETS',
      'RECONCILE_SCHEDULE',
      'WORKER_POLL_SCHEDULE',
      'LOG_LEVEL',
      'WEBHOOK_SECRET',
      'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    ]) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
    expect(problems.find((problem) => problem.startsWith('WORKER_VIDEO_PRESETS'))).toContain('gif');
  });

  it('turns the reconciler off and parses a resolution policy', () => {
    // Act
    const config = loadWorkerConfig({ RECONCILE_SCHEDULE: 'off', WORKER_MAX_RESOLUTION: '3840x2160' });

    // Assess
    expect(config.reconcileSchedule).toBeUndefined();
    expect(config.policy).toMatchObject({ maxWidth: 3840, maxHeight: 2160 });
  });
});
