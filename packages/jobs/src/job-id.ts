import { createHash, randomBytes } from 'node:crypto';
import { JOB_ID_PATTERN } from '@media-server/client/contract';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

export { JOB_ID_PATTERN };

const jobIdRegExp = new RegExp(JOB_ID_PATTERN);

export function isJobId(value: string): boolean {
  return jobIdRegExp.test(value);
}

function encodeBase32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/**
 * A new job id, ULID-shaped: 10 characters of millisecond time then 16 random ones, so ids sort by
 * creation time (S3 lists `jobs/` in that order). Its first character is a digit until the year 10889.
 */
export function newJobId(now: number = Date.now()): string {
  let time = '';
  let remaining = now;
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[remaining % 32] + time;
    remaining = Math.floor(remaining / 32);
  }
  return time + encodeBase32(randomBytes(10), 16);
}

/**
 * The job id of an object that did not come through the API: derived from bucket, key and ETag, so a
 * redelivered event for the same object finds the same job, and a new version of the object a new one.
 * It starts with `h`, which no time-based id does.
 */
export function deriveJobId(bucket: string, key: string, etag: string): string {
  const digest = createHash('sha256')
    .update(`${bucket}\n${key}\n${etag.replaceAll('"', '')}`)
    .digest();
  return `h${encodeBase32(digest, 25)}`;
}
