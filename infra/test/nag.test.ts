import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaServerStack } from '../src/media-server-stack.ts';
import type { MediaServerSettings } from '../src/settings.ts';
import { TEST_ENV } from './synth.ts';

const outdirs: string[] = [];

function app(settings: MediaServerSettings, extra?: (stack: MediaServerStack) => void) {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-nag-'));
  outdirs.push(outdir);
  const cdkApp = new App({ outdir });
  const stack = new MediaServerStack(cdkApp, 'MediaServer', {
    env: TEST_ENV,
    settings,
    images: {
      api: ecs.ContainerImage.fromRegistry('media-server-api:test'),
      worker: ecs.ContainerImage.fromRegistry('media-server-worker:test'),
    },
  });
  extra?.(stack);
  Validations.of(cdkApp).addPlugins(new AwsSolutionsChecks(cdkApp));
  return { cdkApp, stack, outdir };
}

function violations(outdir: string): string[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: Array<{
      violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
    ),
  );
}

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => {
        const data = entry.data as Record<string, string> | Array<{ id: string; reason: string }>;
        const list = Array.isArray(data)
          ? data
          : Object.entries(data).map(([id, reason]) => ({ id, reason }));
        return list.map((rule) => ({ path: construct.node.path, id: rule.id, reason: rule.reason }));
      }),
  );
}

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('cdk-nag AwsSolutions', () => {
  for (const [name, settings] of [
    ['defaults', {}],
    [
      'everything on (CDN, HTTPS, CORS, a worker floor)',
      {
        playbackCdn: true,
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        corsOrigins: ['https://app.example.com'],
        workerMinTasks: 1,
      },
    ],
  ] as Array<[string, MediaServerSettings]>) {
    it(`passes with ${name}: no error and no warning left unacknowledged`, () => {
      const { cdkApp, outdir } = app(settings);
      expect(() => cdkApp.synth()).not.toThrow();
      expect(violations(outdir)).toEqual([]);
    });
  }

  it('gives every acknowledgment a written reason', () => {
    const { cdkApp, stack } = app({ playbackCdn: true });
    cdkApp.synth();
    // CDK acknowledges some CloudFormation-Validate rules of its own; ours are the AwsSolutions ones.
    const acknowledged = acknowledgments(stack).filter((rule) => rule.id.startsWith('AwsSolutions::'));
    expect(acknowledged.length).toBeGreaterThan(5);
    for (const rule of acknowledged) {
      expect(rule.reason.length, `${rule.id} at ${rule.path}`).toBeGreaterThan(40);
    }
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    // A queue without a dead-letter queue or SSL enforcement (AwsSolutions-SQS3, SQS4).
    const { cdkApp } = app({}, (stack) => new sqs.Queue(stack, 'Unchecked'));
    expect(() => cdkApp.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
