import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantApi, grantWorker } from './permissions.ts';
import { type ResolvedSettings, workerStopTimeoutSeconds } from './settings.ts';
import type { MediaStorage } from './storage.ts';

export const API_PORT = 3000;
export const WORKER_HTTP_PORT = 3001;

/** The images the two services run; `bin/synth.ts` builds them from the Dockerfiles. */
export interface MediaImages {
  api: ecs.ContainerImage;
  worker: ecs.ContainerImage;
}

export interface MediaServicesProps {
  settings: ResolvedSettings;
  storage: MediaStorage;
  images: MediaImages;
  /** `PLAYBACK_BASE_URL` of the API (the CloudFront address), when playback goes through a CDN. */
  playbackBaseUrl?: string | undefined;
}

/** `node -e` probe for a container health check (the images have no curl). */
function httpProbe(port: number, path: string): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${port}${path}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ];
}

/**
 * VPC, ECS cluster, secrets, the API behind an Application Load Balancer and the worker service. The worker's
 * scaling lives in {@link WorkerScaling}.
 */
export class MediaServices extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly api: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly worker: ecs.FargateService;
  readonly workerLogGroup: logs.LogGroup;
  readonly apiKeysSecret: secretsmanager.ISecret;
  readonly webhookSecret: secretsmanager.Secret;
  readonly playbackSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: MediaServicesProps) {
    super(scope, id);
    const { settings, storage } = props;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Sources and outputs go to S3 through the free gateway endpoint, not through NAT (charged per GB).
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: { rejected: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      // Container Insights publishes RunningTaskCount, which the worker's backlog-per-task metric divides by.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.apiKeysSecret = secretsmanager.Secret.fromSecretNameV2(this, 'ApiKeys', settings.apiKeysSecretName);
    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'WEBHOOK_SECRET: HMAC key of the webhook signatures',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.playbackSecret = new secretsmanager.Secret(this, 'PlaybackSecret', {
      description: 'PLAYBACK_SECRET: signs playback links',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    const awsEnvironment = {
      MEDIA_BUCKET: storage.bucket.bucketName,
      JOBS_QUEUE_URL: storage.queue.queueUrl,
      // The region the stack is deployed in (a token resolved by CloudFormation).
      AWS_REGION: storage.bucket.stack.region,
      LOG_LEVEL: 'info',
    };

    // ---- API ----
    const apiLogGroup = new logs.LogGroup(this, 'ApiLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const certificate =
      settings.certificateArn === undefined
        ? undefined
        : acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn);
    this.api = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Api', {
      cluster: this.cluster,
      desiredCount: settings.apiTasks,
      cpu: 512,
      memoryLimitMiB: 1024,
      publicLoadBalancer: true,
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      ...(certificate === undefined
        ? { protocol: elbv2.ApplicationProtocol.HTTP }
        : { protocol: elbv2.ApplicationProtocol.HTTPS, certificate, redirectHTTP: true }),
      taskImageOptions: {
        image: props.images.api,
        containerName: 'api',
        containerPort: API_PORT,
        environment: {
          ...awsEnvironment,
          HOST: '0.0.0.0',
          PORT: String(API_PORT),
          ...(settings.corsOrigins.length === 0 ? {} : { CORS_ORIGINS: settings.corsOrigins.join(',') }),
          ...(props.playbackBaseUrl === undefined ? {} : { PLAYBACK_BASE_URL: props.playbackBaseUrl }),
        },
        secrets: {
          API_KEYS: ecs.Secret.fromSecretsManager(this.apiKeysSecret),
          PLAYBACK_SECRET: ecs.Secret.fromSecretsManager(this.playbackSecret),
        },
        logDriver: ecs.LogDrivers.awsLogs({ streamPrefix: 'api', logGroup: apiLogGroup }),
      },
    });
    this.api.targetGroup.configureHealthCheck({
      path: '/readyz',
      healthyHttpCodes: '200',
      interval: Duration.seconds(15),
      healthyThresholdCount: 2,
    });
    // SSE streams stay open: let the load balancer keep idle connections between heartbeats (15 s).
    this.api.loadBalancer.setAttribute('idle_timeout.timeout_seconds', '120');
    this.api.loadBalancer.logAccessLogs(storage.logBucket, 'alb');
    this.api.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
    grantApi(this.api.taskDefinition.taskRole, storage.bucket, storage.queue);

    // ---- Worker ----
    this.workerLogGroup = new logs.LogGroup(this, 'WorkerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: settings.workerCpu * 1024,
      memoryLimitMiB: settings.workerMemoryMiB,
      // Room for a source and its outputs in the per-job temp dir (Fargate gives 20 GiB by default).
      ephemeralStorageGiB: 50,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    workerTask.addContainer('worker', {
      image: props.images.worker,
      essential: true,
      stopTimeout: Duration.seconds(workerStopTimeoutSeconds(settings)),
      environment: {
        ...awsEnvironment,
        WORKER_CONCURRENCY: String(settings.workerConcurrency),
        WORKER_SHUTDOWN_GRACE_MS: String(settings.workerShutdownGraceMs),
        // The worker asks for this timeout on every receive and its heartbeat holds long jobs: a crashed
        // task's job is back within it.
        WORKER_VISIBILITY_TIMEOUT_SECONDS: String(settings.visibilityTimeoutSeconds),
        WORKER_HTTP_PORT: String(WORKER_HTTP_PORT),
        WORKER_TEMP_DIR: '/tmp/media-worker',
        // Fargate refuses the user namespaces bubblewrap needs (no CAP_SYS_ADMIN, no unprivileged userns):
        // `required` would refuse every job, so the task runs ffmpeg under the input profile alone.
        FFMPEG_SANDBOX: settings.ffmpegSandbox,
      },
      secrets: { WEBHOOK_SECRET: ecs.Secret.fromSecretsManager(this.webhookSecret) },
      healthCheck: {
        command: httpProbe(WORKER_HTTP_PORT, '/healthz'),
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup: this.workerLogGroup }),
    });
    grantWorker(workerTask.taskRole, storage.bucket, storage.queue);

    this.worker = new ecs.FargateService(this, 'Worker', {
      cluster: this.cluster,
      taskDefinition: workerTask,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    // The scaling policies own the worker's task count: a template value would reset it on every deploy
    // (stopping tasks in the middle of a backlog). Without it CloudFormation starts one task, and the
    // policies take over.
    (this.worker.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
  }
}
