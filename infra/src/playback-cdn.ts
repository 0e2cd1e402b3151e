import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface PlaybackCdnProps {
  bucket: s3.IBucket;
  logBucket: s3.IBucket;
}

/**
 * CloudFront in front of `outputs/` only (origin access control: the bucket stays private). The API gets
 * its address as `PLAYBACK_BASE_URL`; nothing else in the bucket is reachable through it.
 */
export class PlaybackCdn extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: PlaybackCdnProps) {
    super(scope, id);
    const origin = origins.S3BucketOrigin.withOriginAccessControl(props.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'media-server playback (outputs/)',
      defaultBehavior: {
        // Everything but outputs/ is refused: the default behavior points at a path no object has.
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'OutputsOnly', {
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              code: cloudfront.FunctionCode.fromInline(
                "function handler(event) { return { statusCode: 404, statusDescription: 'Not Found' }; }",
              ),
            }),
          },
        ],
      },
      additionalBehaviors: {
        'outputs/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
        },
      },
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
    });
  }
}
