import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeClip, startStack } from '../e2e/stack.ts';
import { type PrivateRegistry, startPrivateRegistry } from './private-registry.ts';
import { exampleFileName, firstExample } from './readme-example.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

interface Library {
  dir: string;
  name: string;
  version: string;
}

/** Every publishable library, dependencies first (semaphore before queue-consumer). */
function libraries(): Library[] {
  const found = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true);
  const names = new Set(found.map(({ manifest }) => manifest.name as string));
  const internalDeps = (manifest: { dependencies?: Record<string, string> }) =>
    Object.keys(manifest.dependencies ?? {}).filter((dep) => names.has(dep)).length;
  return found
    .sort((a, b) => internalDeps(a.manifest) - internalDeps(b.manifest))
    .map(({ dir, manifest }) => ({ dir, name: manifest.name, version: manifest.version }));
}

describe('publishing to a private registry', () => {
  let registry: PrivateRegistry;
  let consumerDir: string;

  beforeAll(async () => {
    registry = await startPrivateRegistry();
    consumerDir = await mkdtemp(join(tmpdir(), 'media-server-consumer-'));
  });

  afterAll(async () => {
    await registry?.stop();
    if (consumerDir) await rm(consumerDir, { recursive: true, force: true });
  });

  test('every library publishes with pnpm, with catalog: and workspace: ranges rewritten', async () => {
    const published = libraries();
    expect(published.map((library) => library.name)).toContain('@media-server/semaphore');

    for (const library of published) {
      if (!existsSync(join(library.dir, 'dist'))) {
        await run('pnpm', ['run', 'build'], { cwd: library.dir });
      }
      await run(
        'pnpm',
        ['publish', '--registry', registry.url, '--no-git-checks', '--access', 'restricted'],
        {
          cwd: library.dir,
          env: { ...process.env, npm_config_userconfig: registry.tokenNpmrc },
        },
      );
      const response = await fetch(`${registry.url}${library.name.replace('/', '%2f')}`);
      expect(response.status, `${library.name} is in the registry`).toBe(200);
      const document = (await response.json()) as {
        versions: Record<string, { dependencies?: Record<string, string>; exports?: unknown }>;
      };
      const manifest = document.versions[library.version];
      // In the workspace `exports` point at src/; pnpm publishes those of publishConfig (dist/).
      expect(JSON.stringify(manifest?.exports), `${library.name} exports`).toMatch(/\.\/dist\//);
      expect(JSON.stringify(manifest?.exports), `${library.name} exports`).not.toMatch(/\.\/src\//);
      const ranges = Object.values(manifest?.dependencies ?? {});
      for (const range of ranges) {
        expect(range, `${library.name} dependency range`).not.toMatch(/^(catalog|workspace):/);
      }
    }
  });

  test("a fresh npm project installs @media-server/semaphore and runs its README's first example", async () => {
    const example = firstExample(join(root, 'packages', 'semaphore', 'README.md'));
    const exampleFile = exampleFileName(example);
    await copyFile(registry.scopedNpmrc, join(consumerDir, '.npmrc'));
    await writeFile(
      join(consumerDir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await writeFile(join(consumerDir, exampleFile), example.code);

    await run('npm', ['install', '--no-audit', '--no-fund', '@media-server/semaphore'], { cwd: consumerDir });
    const installed = JSON.parse(
      readFileSync(join(consumerDir, 'node_modules', '@media-server', 'semaphore', 'package.json'), 'utf8'),
    );
    const { stdout } = await run(process.execPath, [exampleFile], {
      cwd: consumerDir,
      timeout: 60_000,
    });

    expect(installed.name).toBe('@media-server/semaphore');
    expect(existsSync(join(consumerDir, 'node_modules', '@media-server', 'semaphore', 'src'))).toBe(false);
    expect(stdout.trim().length).toBeGreaterThan(0);
  });

  test('with plain npm: the media-server CLI uploads a clip to a running stack and waits for it; the client README example runs', async () => {
    // Prepare: the running system, a generated clip, a fresh project whose .npmrc names only the scope.
    const stack = await startStack();
    const projectDir = await mkdtemp(join(tmpdir(), 'media-server-cli-consumer-'));
    try {
      const clip = join(projectDir, 'clip.mp4');
      await makeClip(clip, { seconds: 1 });
      await copyFile(registry.scopedNpmrc, join(projectDir, '.npmrc'));
      await writeFile(
        join(projectDir, 'package.json'),
        JSON.stringify({ name: 'cli-consumer', private: true, type: 'module' }),
      );
      const example = firstExample(join(root, 'packages', 'client', 'README.md'));
      const exampleFile = exampleFileName(example);
      await writeFile(join(projectDir, exampleFile), example.code);
      await run('npm', ['install', '--no-audit', '--no-fund', '@media-server/cli', '@media-server/client'], {
        cwd: projectDir,
      });
      const env = { PATH: process.env.PATH ?? '', HOME: projectDir, ...stack.cliEnv };

      // Act
      const upload = await run(
        join(projectDir, 'node_modules', '.bin', 'media-server'),
        ['upload', clip, '--presets', 'mp4,poster', '--wait'],
        { cwd: projectDir, env, timeout: 180_000 },
      );
      const exampleRun = await run(process.execPath, [exampleFile, clip], {
        cwd: projectDir,
        env,
        timeout: 180_000,
      });

      // Assess: exit 0 (run rejects otherwise), the links printed, the example's job succeeded.
      expect(existsSync(join(projectDir, 'node_modules', '@media-server', 'cli', 'src'))).toBe(false);
      expect(upload.stdout).toMatch(/job [0-9a-z]{26} +succeeded/);
      expect(upload.stdout).toMatch(/download +mp4\/mp4 +http:\/\/127\.0\.0\.1:\d+\//);
      expect(exampleRun.stdout).toContain('succeeded');
      expect(exampleRun.stdout).toMatch(/mp4 http:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      await stack.stop();
      await rm(projectDir, { recursive: true, force: true });
    }
  });
});
