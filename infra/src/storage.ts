import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedSettings } from './settings.ts';

/** DLQ after this many receives, as the worker's README and local-aws's dev setup use. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * The media bucket (uploads/, jobs/, outputs/, idempotency/), the jobs queue that its `uploads/`
 * ObjectCreated events land in, and the dead-letter queue behind it.
 */
export class MediaStorage extends Construct {
  readonly bucket: s3.IBucket;
  /** Server access logs of the media bucket (and the load balancer's access logs). */
  readonly logBucket: s3.IBucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, settings: ResolvedSettings) {
    super(scope, id);

    this.logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Load balancer access logs need ACLs on the target bucket's objects to be writable by the ELB service.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Media', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'media-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      ...(settings.corsOrigins.length === 0
        ? {}
        : {
            cors: [
              {
                // Presigned PUTs and the multipart parts Uppy sends; ETag must be readable to complete a multipart upload.
                allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                allowedOrigins: settings.corsOrigins,
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ],
          }),
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(settings.abortIncompleteUploadsAfterDays),
        },
        {
          id: 'expire-idempotency-records',
          prefix: 'idempotency/',
          expiration: Duration.days(settings.idempotencyExpiryDays),
        },
      ],
    });

    this.deadLetterQueue = new sqs.Queue(this, 'JobsDlq', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Jobs', {
      // Short: the worker's visibility heartbeat holds a running job's message; a crashed worker's job is
      // visible again to a peer after this long.
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      receiveMessageWaitTime: Duration.seconds(20),
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // Adds the queue policy statement for s3.amazonaws.com with aws:SourceArn = this bucket.
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: 'uploads/',
    });
    // Only this bucket may send: no other principal gets sqs:SendMessage through the queue policy.
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThisBucketAsS3',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:SourceArn': this.bucket.bucketArn } },
      }),
    );
  }
}
