// Release check for every publishable library: publint --strict and attw (esm-only profile) on the tarball
// `pnpm pack` makes, i.e. on what `pnpm publish` would upload. Packing first matters: in the workspace the
// `exports` point at src/, and only pnpm applies the `publishConfig` overrides that point them at dist/
// (`attw --pack` would pack with npm, which does not). Exits non-zero when any library fails either tool.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const libraries = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

const packDir = mkdtempSync(join(tmpdir(), 'release-check-'));
let failures = 0;
try {
  for (const dir of libraries) {
    const name = dir.slice(root.length);
    const pack = spawnSync('pnpm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (pack.status !== 0) {
      failures += 1;
      console.log(`FAIL pnpm pack ${name}`);
      console.log(pack.stdout, pack.stderr);
      continue;
    }
    const tarball = JSON.parse(pack.stdout).filename;
    for (const [tool, args] of [
      ['publint', ['--strict', tarball]],
      ['attw', [tarball, '--profile', 'esm-only', '--format', 'ascii']],
    ]) {
      const result = spawnSync(tool, args, { cwd: dir, encoding: 'utf8' });
      const ok = result.status === 0;
      if (!ok) failures += 1;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${tool} ${name}`);
      if (!ok) console.log(result.stdout, result.stderr);
    }
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
console.log(`release-check: ${libraries.length} libraries, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
