import type { IncomingHttpHeaders } from 'node:http';
import { s3Error } from './s3rver-internals.ts';

/** The conditions of a conditional write (`PutObject`, `CopyObject`, `CompleteMultipartUpload`). */
export interface WriteConditions {
  /** `If-Match`: ETags (unquoted) of which the current object must have one; `'*'` means any. */
  ifMatch?: string[] | undefined;
  /** `If-None-Match: *`: the key must not exist. */
  ifNoneMatch: boolean;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function unquote(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/**
 * Reads `If-Match` / `If-None-Match` of a write request; undefined when it has neither. S3 accepts only
 * `*` in `If-None-Match` of a write: any other value answers `NotImplemented`, as S3 does.
 */
export function parseWriteConditions(headers: IncomingHttpHeaders): WriteConditions | undefined {
  const ifMatch = header(headers, 'if-match');
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', {
      Header: 'If-None-Match',
    });
  }
  return {
    ifMatch: ifMatch === undefined ? undefined : ifMatch.split(',').map(unquote),
    ifNoneMatch: ifNoneMatch !== undefined,
  };
}

/**
 * Throws the S3 error for conditions that do not hold against the current object (`currentEtag`
 * undefined: there is none): `PreconditionFailed` (412) when the key exists under `If-None-Match: *`
 * or has another ETag than `If-Match` names, `NoSuchKey` (404) for `If-Match` on a missing key.
 */
export function checkWriteConditions(
  conditions: WriteConditions,
  key: string,
  currentEtag: string | undefined,
): void {
  if (conditions.ifNoneMatch && currentEtag !== undefined) {
    throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-None-Match',
    });
  }
  if (conditions.ifMatch === undefined) return;
  if (currentEtag === undefined) {
    throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
  }
  const current = unquote(currentEtag);
  if (!conditions.ifMatch.some((etag) => etag === '*' || etag === current)) {
    throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-Match',
    });
  }
}
