import { ConfigError } from '@media-server/jobs';
import { describe, expect, it } from 'vitest';
import { findApiKey, hashApiKey, parseApiKeys } from './api-keys.ts';
import { loadConfig } from './config.ts';
import { hashRequestBody } from './idempotency.ts';
import { DEV_PLAYBACK_SECRET } from './playback/playback-config.ts';
import { SlidingWindowLimit } from './rate-limit.ts';
import { isAllowedContentType, partSizeOf, planParts } from './upload-service.ts';

const MiB = 1024 * 1024;
const awsEnv = {
  MEDIA_BUCKET: 'media',
  JOBS_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/media-jobs',
  AWS_REGION: 'eu-west-1',
  PLAYBACK_SECRET: 'a-playback-secret-of-at-least-32-chars',
};

describe('loadConfig', () => {
  it('with nothing set: local-aws, the development key, port 3000 on loopback', () => {
    const config = loadConfig({});
    expect(config.aws.mode).toBe('local');
    expect(config.devKeyEnabled).toBe(true);
    expect(config.apiKeys).toEqual([]);
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1' });
    expect(config.uploads).toMatchObject({
      multipartThresholdBytes: 100 * MiB,
      partSizeBytes: 16 * MiB,
      urlTtlSeconds: 900,
    });
  });

  it('against AWS the development key is off and API_KEYS is required', () => {
    expect(() => loadConfig(awsEnv)).toThrow(/API_KEYS is required/);
    const config = loadConfig({ ...awsEnv, API_KEYS: `ci:${hashApiKey('secret')}` });
    expect(config.devKeyEnabled).toBe(false);
    expect(config.host).toBe('0.0.0.0');
    expect(config.apiKeys.map((key) => key.id)).toEqual(['ci']);
  });

  it('playback: a development secret locally; PLAYBACK_SECRET required (≥ 32 characters) against AWS', () => {
    expect(loadConfig({}).playback).toEqual({ secret: DEV_PLAYBACK_SECRET, ttlSeconds: 3600 });
    const keys = { API_KEYS: `ci:${hashApiKey('secret')}` };
    const { PLAYBACK_SECRET: _secret, ...withoutSecret } = awsEnv;
    expect(() => loadConfig({ ...withoutSecret, ...keys })).toThrow(/PLAYBACK_SECRET is required/);
    expect(() => loadConfig({ ...awsEnv, ...keys, PLAYBACK_SECRET: 'short' })).toThrow(/at least 32/);
    const config = loadConfig({
      ...awsEnv,
      ...keys,
      PLAYBACK_TTL_SECONDS: '600',
      PLAYBACK_BASE_URL: 'https://cdn.example.com/outputs/',
    });
    expect(config.playback).toEqual({
      secret: awsEnv.PLAYBACK_SECRET,
      ttlSeconds: 600,
      baseUrl: 'https://cdn.example.com/outputs',
    });
    expect(() => loadConfig({ ...awsEnv, ...keys, PLAYBACK_BASE_URL: 'cdn.example.com' })).toThrow(
      /PLAYBACK_BASE_URL must be an http\(s\) URL/,
    );
  });

  it('accepts the seed names as aliases', () => {
    const config = loadConfig({
      AWS_S3_BUCKET_NAME: 'old-bucket',
      AWS_SQS_READY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/ready',
      AWS_S3_REGION: 'eu-west-1',
      API_KEYS: `a:${hashApiKey('k')}`,
      PLAYBACK_SECRET: awsEnv.PLAYBACK_SECRET,
    });
    expect(config.aws).toMatchObject({ mode: 'aws', bucket: 'old-bucket', region: 'eu-west-1' });
  });

  it('reports every bad value at once, one message each', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        UPLOAD_MAX_BYTES: '-1',
        UPLOAD_PART_SIZE_BYTES: '1024',
        UPLOAD_ALLOWED_TYPES: 'video/*,nonsense',
        API_KEYS: 'ci:not-hex',
        CORS_ORIGINS: 'ftp://x',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(7);
    for (const name of [
      'PORT',
      'UPLOAD_MAX_BYTES',
      'UPLOAD_PART_SIZE_BYTES',
      'UPLOAD_ALLOWED_TYPES',
      'API_KEYS',
      'CORS_ORIGINS',
      'LOG_LEVEL',
    ]) {
      expect(
        problems.some((problem) => problem.startsWith(name)),
        name,
      ).toBe(true);
    }
  });
});

describe('API keys', () => {
  it('matches the key whose SHA-256 is configured, and nothing else', () => {
    const { keys, problems } = parseApiKeys(`a:${hashApiKey('alpha')}, b:${hashApiKey('beta')}`);
    expect(problems).toEqual([]);
    expect(findApiKey(keys, 'beta')?.id).toBe('b');
    expect(findApiKey(keys, 'alpha')?.id).toBe('a');
    expect(findApiKey(keys, 'gamma')).toBeUndefined();
    expect(findApiKey(keys, hashApiKey('alpha'))).toBeUndefined();
  });

  it('refuses duplicate ids and malformed entries', () => {
    expect(parseApiKeys(`a:${hashApiKey('x')},a:${hashApiKey('y')}`).problems).toEqual([
      'API_KEYS names the id "a" twice',
    ]);
    expect(parseApiKeys('a').problems[0]).toMatch(/not <id>:<64 hex/);
  });
});

describe('upload planning', () => {
  const limits = loadConfig({}).uploads;

  it('matches content types with wildcards, ignoring parameters and case', () => {
    expect(isAllowedContentType('video/mp4', ['video/*'])).toBe(true);
    expect(isAllowedContentType('Video/MP4; codecs=avc1', ['video/*'])).toBe(true);
    expect(isAllowedContentType('image/png', ['video/*', 'image/png'])).toBe(true);
    expect(isAllowedContentType('application/zip', ['video/*'])).toBe(false);
    expect(isAllowedContentType('videos/mp4', ['video/*'])).toBe(false);
  });

  it('grows the part size so a file never needs more than maxParts parts', () => {
    expect(planParts(100 * MiB, limits)).toEqual({ partSize: 16 * MiB, partCount: 7 });
    const huge = planParts(100 * 1024 * MiB, limits);
    expect(huge.partCount).toBeLessThanOrEqual(limits.maxParts);
    expect(huge.partSize % MiB).toBe(0);
    expect(huge.partSize * huge.partCount).toBeGreaterThanOrEqual(100 * 1024 * MiB);
    const largest = planParts(5 * 1024 ** 4, limits);
    expect(largest.partSize).toBeLessThanOrEqual(5 * 1024 * MiB);
    expect(largest.partCount).toBeLessThanOrEqual(10_000);
    expect(partSizeOf(7, 100 * MiB, 16 * MiB, 7)).toBe(4 * MiB);
    expect(partSizeOf(1, 100 * MiB, 16 * MiB, 7)).toBe(16 * MiB);
  });
});

describe('idempotency and limits', () => {
  it('hashes a body independently of key order, and differently for another body', () => {
    expect(hashRequestBody({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      hashRequestBody({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(hashRequestBody({ a: 1 })).not.toBe(hashRequestBody({ a: 2 }));
    expect(hashRequestBody(undefined)).toBe(hashRequestBody(null));
  });

  it('counts uploads per caller in a sliding hour', () => {
    const limit = new SlidingWindowLimit(2, 3_600_000);
    limit.take('a', 0);
    limit.take('a', 1000);
    limit.take('b', 1000);
    expect(() => limit.take('a', 2000)).toThrow(/at most 2 uploads per hour/);
    expect(() => limit.take('a', 3_600_001)).not.toThrow();
  });
});
