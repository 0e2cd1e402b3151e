import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const infraDir = join(import.meta.dirname, '..');

describe('the CDK app (bin/synth.ts, what `cdk synth` runs)', () => {
  it('synthesises offline with both images built from the Dockerfiles and cdk-nag passing', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'infra-synth-'));
    try {
      // No AWS credentials, account or network: CDK_DEFAULT_ACCOUNT unset, a region from the default.
      const env = { PATH: process.env.PATH, CDK_OUTDIR: outdir, HOME: process.env.HOME };
      await promisify(execFile)(process.execPath, ['--conditions=@media-server/source', 'bin/synth.ts'], {
        cwd: infraDir,
        env,
        timeout: 180_000,
      });
      const assets = JSON.parse(await readFile(join(outdir, 'MediaServer.assets.json'), 'utf8')) as {
        dockerImages: Record<string, { source: { directory: string; dockerFile: string } }>;
      };
      const dockerfiles = Object.values(assets.dockerImages)
        .map((image) => image.source.dockerFile)
        .sort();
      expect(dockerfiles).toEqual(['apps/api/Dockerfile', 'apps/worker/Dockerfile']);
      // The staged build context honours .dockerignore: no node_modules is copied.
      for (const image of Object.values(assets.dockerImages)) {
        const context = join(outdir, image.source.directory);
        await expect(readFile(join(context, 'pnpm-lock.yaml'), 'utf8')).resolves.toContain('lockfileVersion');
        await expect(readFile(join(context, 'node_modules', '.modules.yaml'), 'utf8')).rejects.toThrow(
          /ENOENT/,
        );
      }
      const template = JSON.parse(await readFile(join(outdir, 'MediaServer.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string }>;
      };
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::ECS::Service')).toHaveLength(2);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
