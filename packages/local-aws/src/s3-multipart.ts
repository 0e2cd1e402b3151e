import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeXml } from './s3-notification-xml.ts';
import {
  replaceStoreMethod,
  type S3rverStore,
  s3Error,
  UPLOAD_FILES,
  uploadDirectoryPath,
} from './s3rver-internals.ts';

// s3rver's layout of an upload directory is described (and checked) in s3rver-internals.ts.

/** s3rver's upload ids: 16 random bytes in hex. Anything else cannot name an upload. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const MAX_PARTS = 1000;

/** One stored part of a multipart upload. */
export interface StoredPart {
  partNumber: number;
  /** Quoted hex MD5, as S3 sends ETags. */
  etag: string;
  size: number;
  lastModified: Date;
}

function noSuchUpload(uploadId: string) {
  return s3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
}

function invalidArgument(name: string, value: string, message: string) {
  return s3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value });
}

/** The directory of an upload, or undefined when `uploadId` is not one s3rver could have made. */
function uploadDirectory(store: S3rverStore, bucket: string, uploadId: string): string | undefined {
  if (!UPLOAD_ID.test(uploadId)) return undefined;
  return uploadDirectoryPath(store, bucket, uploadId);
}

/**
 * The directory of the upload `uploadId` of `key`; throws `NoSuchUpload` (404) when there is none (never
 * started, aborted, completed, or started for another key), as S3 does.
 */
export async function existingUpload(
  store: S3rverStore,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<string> {
  const directory = uploadDirectory(store, bucket, uploadId);
  if (directory === undefined) throw noSuchUpload(uploadId);
  const storedKey = await readFile(join(directory, UPLOAD_FILES.key), 'utf8').catch(() => undefined);
  if (storedKey !== key) throw noSuchUpload(uploadId);
  return directory;
}

/** Checks `partNumber` of `UploadPart` (an integer from 1 to 10,000); throws `InvalidArgument`. */
export function checkPartNumber(partNumber: string | undefined): void {
  if (partNumber !== undefined && /^[1-9]\d{0,4}$/.test(partNumber) && Number(partNumber) <= 10_000) return;
  throw invalidArgument(
    'partNumber',
    partNumber ?? '',
    'Part number must be an integer between 1 and 10000, inclusive',
  );
}

/** The parts of an upload whose bytes and MD5 are both stored, by part number. */
export async function storedParts(directory: string): Promise<StoredPart[]> {
  const names = (await readdir(directory)).filter(UPLOAD_FILES.isPart);
  const parts = await Promise.all(
    names.map(async (name): Promise<StoredPart | undefined> => {
      const [md5, stats] = await Promise.all([
        readFile(join(directory, UPLOAD_FILES.partMd5(name)), 'utf8').catch(() => ''),
        stat(join(directory, UPLOAD_FILES.part(name))).catch(() => undefined),
      ]);
      // No MD5 yet: the part is still being written.
      if (!/^[0-9a-f]{32}$/.test(md5) || stats === undefined) return undefined;
      return { partNumber: Number(name), etag: `"${md5}"`, size: stats.size, lastModified: stats.mtime };
    }),
  );
  return parts
    .filter((part): part is StoredPart => part !== undefined)
    .sort((a, b) => a.partNumber - b.partNumber);
}

function integerParameter(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) {
    throw invalidArgument(name, value, `Provided ${name} not an integer or within integer range`);
  }
  return Number(value);
}

/** Query parameters of `ListParts`. */
export interface ListPartsQuery {
  maxParts?: string | undefined;
  partNumberMarker?: string | undefined;
}

/** Answers `ListParts` (`GET /bucket/key?uploadId=`): the `ListPartsResult` XML document. */
export async function listPartsXml(
  store: S3rverStore,
  bucket: string,
  key: string,
  uploadId: string,
  query: ListPartsQuery,
): Promise<string> {
  const maxParts = Math.min(integerParameter('max-parts', query.maxParts, MAX_PARTS), MAX_PARTS);
  const marker = integerParameter('part-number-marker', query.partNumberMarker, 0);
  const directory = await existingUpload(store, bucket, key, uploadId);
  const after = (await storedParts(directory)).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Bucket>${escapeXml(bucket)}</Bucket>`,
    `<Key>${escapeXml(key)}</Key>`,
    `<UploadId>${uploadId}</UploadId>`,
    '<StorageClass>STANDARD</StorageClass>',
    `<PartNumberMarker>${marker}</PartNumberMarker>`,
    // Only on a truncated page: the SDK's paginator stops when it is absent.
    ...(truncated ? [`<NextPartNumberMarker>${page.at(-1)?.partNumber}</NextPartNumberMarker>`] : []),
    `<MaxParts>${maxParts}</MaxParts>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    ...page.map(
      (part) =>
        `<Part><PartNumber>${part.partNumber}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>${escapeXml(part.etag)}</ETag><Size>${part.size}</Size></Part>`,
    ),
    '</ListPartsResult>',
  ].join('');
}

/** Serves `AbortMultipartUpload` (`DELETE /bucket/key?uploadId=`): removes the upload and its parts. */
export async function abortUpload(
  store: S3rverStore,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  const directory = await existingUpload(store, bucket, key, uploadId);
  await rm(directory, { recursive: true, force: true });
}

/**
 * Makes `CompleteMultipartUpload` check the parts it names, as S3 does: each must have been uploaded,
 * with that ETag (`InvalidPart`, 400). s3rver alone never answered a completion naming a missing part.
 */
export function checkCompletedParts(store: S3rverStore): void {
  replaceStoreMethod(store, 'putObjectMultipart', (putObjectMultipart) => async (bucket, uploadId, parts) => {
    const directory = uploadDirectory(store, bucket, uploadId);
    const stored = directory === undefined ? [] : await storedParts(directory);
    const etags = new Map(stored.map((part) => [part.partNumber, part.etag.replaceAll('"', '')]));
    for (const part of parts) {
      if (etags.get(part.number) !== part.etag) {
        throw s3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { UploadId: uploadId, PartNumber: String(part.number), ETag: part.etag },
        );
      }
    }
    return putObjectMultipart(bucket, uploadId, parts);
  });
}
