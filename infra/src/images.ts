import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { MediaImages } from './services.ts';

/** The repository root: the Docker build context of both images. */
export const REPOSITORY_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The two images as CDK assets built from `apps/<app>/Dockerfile` with the repository root as context
 * (`.dockerignore` keeps node_modules and build output out). `cdk deploy` builds and pushes them to the
 * bootstrap ECR repository; synth only stages the context, so it needs no Docker.
 */
export function imagesFromDockerfiles(root: string = REPOSITORY_ROOT): MediaImages {
  const image = (app: 'api' | 'worker') =>
    ecs.ContainerImage.fromAsset(root, { file: `apps/${app}/Dockerfile`, platform: Platform.LINUX_AMD64 });
  return { api: image('api'), worker: image('worker') };
}
