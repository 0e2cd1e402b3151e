import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** `arn:…:bucket/<prefix>*` for each prefix. */
function objects(bucket: s3.IBucket, ...prefixes: string[]): string[] {
  return prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
}

/**
 * The worker reads sources and job documents, writes outputs and job documents, and consumes the jobs
 * queue. It also sends job messages (the reconciler re-enqueues stale jobs) and lists `jobs/` (the
 * reconciler's scan; ListBucket also makes a missing key a 404 instead of a 403).
 */
export function grantWorker(role: iam.IGrantable, bucket: s3.IBucket, queue: sqs.IQueue): void {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadSourcesAndJobDocuments',
      actions: ['s3:GetObject'],
      resources: objects(bucket, 'uploads/', 'jobs/'),
    }),
    new iam.PolicyStatement({
      sid: 'WriteOutputsAndJobDocuments',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: objects(bucket, 'outputs/', 'jobs/'),
    }),
    new iam.PolicyStatement({
      sid: 'ListJobDocuments',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'ConsumeJobsQueue',
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:SendMessage',
      ],
      resources: [queue.queueArn],
    }),
  ];
  for (const statement of statements) role.grantPrincipal.addToPrincipalPolicy(statement);
}

/**
 * The API presigns uploads (single PUT and multipart) under `uploads/`, reads job documents and outputs,
 * writes specs and idempotency records, deletes a job's objects (`DELETE /v1/jobs/:id`), and sends job
 * messages. HeadObject on `uploads/` (GetObject) confirms a finished upload; HeadBucket (ListBucket) and
 * GetQueueAttributes are its readiness checks.
 */
export function grantApi(role: iam.IGrantable, bucket: s3.IBucket, queue: sqs.IQueue): void {
  const statements = [
    new iam.PolicyStatement({
      sid: 'PresignUploads',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:GetObject'],
      resources: objects(bucket, 'uploads/'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadJobsAndOutputs',
      actions: ['s3:GetObject'],
      resources: objects(bucket, 'jobs/', 'outputs/', 'idempotency/'),
    }),
    new iam.PolicyStatement({
      sid: 'WriteSpecsAndIdempotencyRecords',
      actions: ['s3:PutObject'],
      resources: objects(bucket, 'jobs/', 'idempotency/'),
    }),
    new iam.PolicyStatement({
      sid: 'DeleteJobs',
      actions: ['s3:DeleteObject'],
      resources: objects(bucket, 'uploads/', 'jobs/', 'outputs/'),
    }),
    new iam.PolicyStatement({
      sid: 'ListBucketForReadinessAndDeletes',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'SendJobMessages',
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resources: [queue.queueArn],
    }),
  ];
  for (const statement of statements) role.grantPrincipal.addToPrincipalPolicy(statement);
}
