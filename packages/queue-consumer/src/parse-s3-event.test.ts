import { describe, expect, test } from 'vitest';
import { S3EventParseError } from './errors.ts';
import { decodeS3Key, parseS3Event } from './parse-s3-event.ts';

function record(rawKey: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-30T10:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    s3: {
      bucket: { name: 'media', arn: 'arn:aws:s3:::media' },
      object: { key: rawKey, size: 1234, eTag: 'abc', sequencer: '00A1' },
    },
    ...extra,
  };
}

describe('parseS3Event', () => {
  test('decodes keys with spaces, +, quotes and unicode, across several records', () => {
    // Prepare: keys as S3 encodes them (form encoding: space → '+', '+' → '%2B').
    const keys = [
      "uploads/my clip's.mp4",
      'uploads/a+b=c.mov',
      'uploads/été 東京 🎬.mkv',
      'uploads/100%.mp4',
    ];
    const encoded = keys.map((k) =>
      encodeURIComponent(k).replaceAll('%2F', '/').replaceAll('%20', '+').replaceAll("'", '%27'),
    );
    const body = JSON.stringify({ Records: encoded.map((k) => record(k)) });
    // Act
    const result = parseS3Event({ Body: body });
    // Assess
    expect(result.kind).toBe('records');
    expect(result.records.map((r) => r.object.key)).toEqual(keys);
    expect(result.records[0]?.object.rawKey).toBe('uploads/my+clip%27s.mp4');
    expect(result.records[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      bucket: { name: 'media' },
      object: { size: 1234, eTag: 'abc' },
    });
  });

  test('the seed failure: my+clip%27s.mp4 is "my clip\'s.mp4"', () => {
    expect(decodeS3Key('my+clip%27s.mp4')).toBe("my clip's.mp4");
  });

  test('s3:TestEvent is recognized and has no records', () => {
    const result = parseS3Event(
      JSON.stringify({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: '2026-11-30T10:00:00Z',
        Bucket: 'media',
      }),
    );
    expect(result).toEqual({ kind: 'test', records: [], bucket: 'media', time: '2026-11-30T10:00:00Z' });
  });

  test('unwraps an SNS envelope', () => {
    const inner = JSON.stringify({ Records: [record('uploads/x+y.mp4')] });
    const body = JSON.stringify({
      Type: 'Notification',
      MessageId: '1',
      TopicArn: 'arn:aws:sns:x',
      Message: inner,
    });
    expect(parseS3Event(body).records[0]?.object.key).toBe('uploads/x y.mp4');
  });

  test.each([
    ['not json', 'NOT_JSON'],
    ['[1,2]', 'NOT_AN_OBJECT'],
    ['{"hello":1}', 'NO_RECORDS'],
    ['{"Records":[{"eventName":"x"}]}', 'BAD_RECORD'],
    [JSON.stringify({ Records: [record('bad%E0%A4%A')] }), 'BAD_RECORD'],
    [JSON.stringify({ Type: 'Notification', Message: 5 }), 'BAD_ENVELOPE'],
  ])('malformed body %s → S3EventParseError %s', (body, reason) => {
    let caught: unknown;
    try {
      parseS3Event(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(S3EventParseError);
    expect(caught).toMatchObject({ code: 'S3_EVENT_PARSE', reason });
  });

  test('a message without a body is a parse error', () => {
    expect(() => parseS3Event({})).toThrow(S3EventParseError);
  });
});
