// Type-checks every TSDoc `@example` of the libraries: each ```ts block in a doc comment of a package's
// src/ (tests excluded) becomes a module that imports the package by its name, as a user would, and is
// compiled with the repository's strict settings. Usage: node scripts/check-doc-examples.mjs [package...]
// (default: every publishable package). Exits non-zero when an example does not compile.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const named = process.argv.slice(2);
const packages = (named.length > 0 ? named : readdirSync(join(root, 'packages'))).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  return existsSync(manifest) && !JSON.parse(readFileSync(manifest, 'utf8')).private;
});

/** Source files of `dir`, tests and type tests excluded. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The ```ts blocks of the doc comments of `text`, with the leading ` * ` of each line removed. */
function examples(text) {
  return [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].flatMap((comment) => {
    const body = comment[1].replace(/^[ \t]*\* ?/gm, '');
    return [...body.matchAll(/```ts\n([\s\S]*?)```/g)].map((block) => block[1]);
  });
}

let failures = 0;
for (const name of packages) {
  const dir = join(root, 'packages', name);
  // Inside the package, so that the package resolves its own name (and its dependencies) as a user's code would.
  const out = join(dir, '.doc-examples');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  try {
    let count = 0;
    for (const file of sources(join(dir, 'src'))) {
      for (const code of examples(readFileSync(file, 'utf8'))) {
        count += 1;
        const base = relative(join(dir, 'src'), file).replaceAll('/', '_').replace(/\.ts$/, '');
        writeFileSync(join(out, `${base}.${count}.ts`), `export {};\n${code}`);
      }
    }
    writeFileSync(
      join(out, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.base.json',
        // An example may declare what it only illustrates; it emits nothing.
        compilerOptions: { noUnusedLocals: false, isolatedDeclarations: false, declaration: false },
        include: ['*.ts'],
      }),
    );
    const result =
      count === 0
        ? { status: 0, stdout: '' }
        : spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', out], { encoding: 'utf8' });
    const ok = result.status === 0;
    if (!ok) failures += 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${count} examples`);
    if (!ok) console.log(result.stdout.replaceAll(`${out}/`, ''), result.stderr ?? '');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
console.log(`doc-examples: ${packages.length} packages, ${failures} failing`);
process.exit(failures === 0 ? 0 : 1);
