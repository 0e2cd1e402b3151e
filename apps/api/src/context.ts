import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { JobStore } from '@media-server/jobs';
import type { ApiConfig } from './config.ts';
import type { ApiMetrics } from './metrics.ts';
import type { S3SlidingWindowLimit, SlidingWindowLimit } from './rate-limit.ts';

/** The AWS clients the API talks through. Tests and `main.ts` build them from the configuration. */
export interface ApiDeps {
  s3: S3Client;
  sqs: SQSClient;
  /** Client that signs URLs handed to clients; default `s3`. Differs when `S3_PUBLIC_ENDPOINT` is set. */
  presigner?: S3Client | undefined;
}

/** What every route module gets. */
export interface AppContext {
  config: ApiConfig;
  s3: S3Client;
  sqs: SQSClient;
  presigner: S3Client;
  store: JobStore;
  bucket: string;
  metrics: ApiMetrics;
  /** Uploads per API key per hour, shared by every route that hands out uploads (and every replica: in S3). */
  uploadLimit: S3SlidingWindowLimit | SlidingWindowLimit;
  /** Aborted when the app closes: long-lived responses (event streams) end on it. */
  closing: AbortSignal;
}

/**
 * Builds the AWS clients for a configuration. Checksums are computed only where S3 requires them, so
 * presigned URLs carry no checksum of an empty body (which S3 would compare with the upload).
 */
export function createAwsClients(config: ApiConfig): { s3: S3Client; sqs: SQSClient; presigner: S3Client } {
  const s3 = new S3Client({
    ...config.aws.s3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const presigner =
    config.s3PublicEndpoint === undefined
      ? s3
      : new S3Client({
          ...config.aws.s3,
          endpoint: config.s3PublicEndpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        });
  const sqs = new SQSClient(config.aws.sqs);
  return { s3, sqs, presigner };
}
