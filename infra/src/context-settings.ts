import type { Node } from 'constructs';
import type { MediaServerSettings } from './settings.ts';

function optionalNumber(node: Node, key: string): number | undefined {
  const value = node.tryGetContext(key) as unknown;
  if (value === undefined || value === null || value === '') return undefined;
  return Number(value);
}

function optionalString(node: Node, key: string): string | undefined {
  const value = node.tryGetContext(key) as unknown;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * {@link MediaServerSettings} from CDK context: `cdk deploy -c workerMaxTasks=20 -c corsOrigins=https://app.example.com`.
 * Unknown values are checked by `resolveSettings`.
 */
export function contextSettings(node: Node): MediaServerSettings {
  const cors = optionalString(node, 'corsOrigins');
  const sandbox = optionalString(node, 'ffmpegSandbox');
  return {
    corsOrigins: cors === undefined ? undefined : cors.split(',').map((origin) => origin.trim()),
    workerMinTasks: optionalNumber(node, 'workerMinTasks'),
    workerMaxTasks: optionalNumber(node, 'workerMaxTasks'),
    backlogPerTaskTarget: optionalNumber(node, 'backlogPerTaskTarget'),
    workerCpu: optionalNumber(node, 'workerCpu'),
    workerMemoryMiB: optionalNumber(node, 'workerMemoryMiB'),
    workerConcurrency: optionalNumber(node, 'workerConcurrency'),
    workerShutdownGraceMs: optionalNumber(node, 'workerShutdownGraceMs'),
    apiTasks: optionalNumber(node, 'apiTasks'),
    visibilityTimeoutSeconds: optionalNumber(node, 'visibilityTimeoutSeconds'),
    natGateways: optionalNumber(node, 'natGateways'),
    playbackCdn: optionalString(node, 'playbackCdn') === 'true',
    certificateArn: optionalString(node, 'certificateArn'),
    apiKeysSecretName: optionalString(node, 'apiKeysSecretName'),
    ffmpegSandbox: sandbox as MediaServerSettings['ffmpegSandbox'],
  };
}
