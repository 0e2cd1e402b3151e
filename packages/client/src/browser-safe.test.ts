import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

/** Every source file of the package but its tests. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the browser path', () => {
  test('no source file imports a Node module: Node is reached only through process.getBuiltinModule', () => {
    const offenders = sourceFiles(import.meta.dirname).filter((file) =>
      /(^|\n)\s*(import|export)\b[^;]*?['"](node:[a-z/_]+|fs|http|https|path|os|stream|crypto)['"]/.test(
        readFileSync(file, 'utf8'),
      ),
    );

    expect(offenders.map((file) => relative(import.meta.dirname, file))).toEqual([]);
    expect(sourceFiles(import.meta.dirname).length).toBeGreaterThan(10);
  });
});
