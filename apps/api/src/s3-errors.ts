import { httpStatusOf, isAwsUnreachable } from '@media-server/jobs';
/** The storage does not implement the operation (some S3 look-alikes answer ListParts so). */
export function isUnsupported(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  const status = httpStatusOf(error);
  return name === 'MethodNotAllowed' || name === 'NotImplemented' || status === 405 || status === 501;
}

/**
 * The AWS call failed because S3 (or SQS) could not be reached or answered with a server error: a
 * condition that passes, which clients should retry (503), unlike a bug (500).
 */
export function isStorageUnreachable(error: unknown): boolean {
  return isAwsUnreachable(error);
}
