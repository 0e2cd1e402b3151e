import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MediaServerStack } from '../src/media-server-stack.ts';
import type { MediaServerSettings } from '../src/settings.ts';

/** A dummy account and region: synth never looks anything up, so any value works offline. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' } as const;

export interface Synthesized {
  app: App;
  stack: MediaServerStack;
  template: Template;
}

/**
 * The stack with registry images (no Docker build context to stage, so synth stays fast), checked by
 * cdk-nag's AwsSolutions pack like `bin/synth.ts` does: `Template.fromStack` synthesises the app and throws
 * when a finding is not acknowledged.
 */
export function synthesize(settings: MediaServerSettings = {}): Synthesized {
  const app = new App();
  const stack = new MediaServerStack(app, 'MediaServer', {
    env: TEST_ENV,
    settings,
    images: {
      api: ecs.ContainerImage.fromRegistry('media-server-api:test'),
      worker: ecs.ContainerImage.fromRegistry('media-server-worker:test'),
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The resources of one CloudFormation type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The single resource of `type` whose logical id starts with `prefix`. */
export function oneResource(template: Template, type: string, prefix: string): Resources[string] {
  const matches = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} named ${prefix}*, found ${matches.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return (matches[0] as [string, Resources[string]])[1];
}
