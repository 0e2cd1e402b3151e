// Release check for every publishable library: publint --strict and attw --pack (esm-only profile).
// Exits non-zero when any library fails either tool.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const libraries = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

let failures = 0;
for (const dir of libraries) {
  for (const [tool, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    const result = spawnSync(tool, args, { cwd: dir, encoding: 'utf8' });
    const ok = result.status === 0;
    if (!ok) failures += 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${tool} ${dir.slice(root.length)}`);
    if (!ok) console.log(result.stdout, result.stderr);
  }
}
console.log(`release-check: ${libraries.length} libraries, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
