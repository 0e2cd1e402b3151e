import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MediaAlarms } from './alarms.ts';
import { applyNagSuppressions } from './nag-suppressions.ts';
import { PlaybackCdn } from './playback-cdn.ts';
import { type MediaImages, MediaServices } from './services.ts';
import { type MediaServerSettings, type ResolvedSettings, resolveSettings } from './settings.ts';
import { MediaStorage } from './storage.ts';
import { WorkerScaling } from './worker-scaling.ts';

export interface MediaServerStackProps extends StackProps {
  settings?: MediaServerSettings | undefined;
  images: MediaImages;
}

/** The whole deployment: storage and queues, the two services, worker autoscaling, alarms, optional CDN. */
export class MediaServerStack extends Stack {
  readonly settings: ResolvedSettings;
  readonly storage: MediaStorage;
  readonly services: MediaServices;
  readonly scaling: WorkerScaling;
  readonly alarms: MediaAlarms;
  readonly playback: PlaybackCdn | undefined;

  constructor(scope: Construct, id: string, props: MediaServerStackProps) {
    super(scope, id, props);
    this.settings = resolveSettings(props.settings);
    this.storage = new MediaStorage(this, 'Storage', this.settings);
    this.playback = this.settings.playbackCdn
      ? new PlaybackCdn(this, 'Playback', { bucket: this.storage.bucket, logBucket: this.storage.logBucket })
      : undefined;
    this.services = new MediaServices(this, 'Services', {
      settings: this.settings,
      storage: this.storage,
      images: props.images,
      playbackBaseUrl:
        this.playback === undefined
          ? undefined
          : `https://${this.playback.distribution.distributionDomainName}`,
    });
    this.scaling = new WorkerScaling(this, 'WorkerScaling', {
      settings: this.settings,
      cluster: this.services.cluster,
      service: this.services.worker,
      queue: this.storage.queue,
    });
    this.alarms = new MediaAlarms(this, 'Alarms', {
      settings: this.settings,
      queue: this.storage.queue,
      deadLetterQueue: this.storage.deadLetterQueue,
      workerLogGroup: this.services.workerLogGroup,
    });
    applyNagSuppressions(this);

    new CfnOutput(this, 'ApiUrl', {
      value: `${this.settings.certificateArn === undefined ? 'http' : 'https'}://${this.services.api.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'JobsQueueUrl', { value: this.storage.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.storage.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    if (this.playback !== undefined) {
      new CfnOutput(this, 'PlaybackBaseUrl', {
        value: `https://${this.playback.distribution.distributionDomainName}`,
      });
    }
  }
}
