/** HTTP status of an AWS SDK error, if it carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * S3 says the object (or multipart upload) does not exist.
 * @example
 * try { await s3.send(new HeadObjectCommand({ Bucket, Key })); } catch (error) { if (isNotFound(error)) return undefined; throw error; }
 */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return (
    name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchUpload' || httpStatusOf(error) === 404
  );
}

/** A conditional write lost: another writer changed the object first (412), or S3 saw a concurrent one (409). */
export function isConditionFailure(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 412 || status === 409;
}
