import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

describe('README', { timeout: 60_000 }, () => {
  it('has a first example that runs as written', async () => {
    // Prepare: the first ```ts block under "## First example"
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## First example'));
    const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
    expect(code).toBeDefined();

    // Act: run it in the package directory, so '@media-server/local-aws' resolves to this package
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@media-server/source', '--input-type=module-typescript', '--eval', code ?? ''],
      { cwd: PACKAGE_DIR, timeout: 60_000 },
    );

    // Assess
    expect(stdout.split('\n')).toEqual([
      'hello',
      'ObjectCreated:Put uploads/my+clip.mp4',
      'uploads/my clip.mp4',
      '',
    ]);
  });
});
