import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { makeClip, type Stack, startStack } from '../e2e/stack.ts';
import { exampleFileName, firstExample } from './readme-example.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/**
 * What each example prints when it worked. The client and the CLI talk to a running system, which this
 * test starts (their README says "with the system running"); the other examples start what they need.
 */
const EXPECTED: Record<string, { output: RegExp; needsStack?: true }> = {
  semaphore: { output: /peak concurrency: 2/ },
  'queue-consumer': { output: /job for uploads\/my clip's\.mp4 \(delivery 1\)/ },
  'media-pipeline': { output: /kind: 'mp4'/ },
  'local-aws': { output: /^uploads\/my clip\.mp4$/m },
  client: { output: /^succeeded$/m, needsStack: true },
  cli: { output: /job [0-9a-z]{26} +succeeded/, needsStack: true },
};

const published = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).private !== true;
});

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop();
});

// Each example runs as a user inside the workspace would run it: written into the package's directory,
// started with plain `node` (no build, no --conditions flag: the workspace `exports` point at src/), or
// for the CLI with bash and the workspace's bin directory on PATH (what `pnpm exec` does).
describe("every published package's README first example runs as written in the workspace", () => {
  test('each published package has an expectation here', () => {
    expect(published.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of published) {
    test(name, { timeout: 300_000 }, async () => {
      const expected = EXPECTED[name];
      if (expected === undefined) throw new Error(`no expectation for packages/${name}`);
      const example = firstExample(join(root, 'packages', name, 'README.md'));
      const dir = await mkdtemp(join(root, 'packages', name, '.readme-example-'));
      try {
        const file = join(dir, exampleFileName(example));
        await writeFile(file, example.code);
        const { NODE_OPTIONS: _, ...env } = process.env;
        env.PATH = `${join(root, 'node_modules', '.bin')}:${env.PATH ?? ''}`;
        if (expected.needsStack) {
          stack ??= await startStack();
          Object.assign(env, stack.cliEnv);
          await makeClip(join(dir, 'clip.mp4'), { seconds: 1 });
        }
        const [command, args] =
          example.language === 'sh' ? ['bash', ['-e', file]] : [process.execPath, [file]];

        const result = await run(command, args, {
          cwd: dir,
          env,
          timeout: 240_000,
          killSignal: 'SIGKILL',
        }).catch((error: { code?: unknown; signal?: unknown; stdout?: string; stderr?: string }) => {
          const how = error.signal ? `was killed (${error.signal}: hung?)` : `exited ${error.code}`;
          throw new Error(
            `the first example of packages/${name}/README.md ${how}:\n${error.stdout}\n${error.stderr}`,
          );
        });

        expect(result.stdout, result.stderr).toMatch(expected.output);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
