import { describe, expect, it } from 'vitest';
import { md5OfBody, md5OfMessageAttributes } from '../../../src/sqs/md5.ts';

describe('md5OfMessageAttributes', () => {
  it('matches the value moto and ElasticMQ compute for the same attributes, whatever their order', () => {
    // Prepare
    const attributes = {
      z: { DataType: 'String', StringValue: 'ünï' },
      'n.c': { DataType: 'Number.int', StringValue: '42' },
      b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
      a: { DataType: 'String', StringValue: 'x' },
    };

    // Act
    const md5 = md5OfMessageAttributes(attributes);

    // Assess
    expect(md5).toBe('0f2e91db9d8ffb81a6ed479fd4d58ca1');
  });

  it('is undefined without attributes', () => {
    // Assess
    expect(md5OfMessageAttributes(undefined)).toBeUndefined();
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('hashes the UTF-8 body', () => {
    // Assess
    expect(md5OfBody('hello')).toBe('5d41402abc4b2a76b9719d911017c592');
  });
});
