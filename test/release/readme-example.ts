import { readFileSync } from 'node:fs';

export interface ReadmeExample {
  /** `ts` (run as a .ts file), `js` (as .mjs) or `sh` (with bash). */
  language: 'ts' | 'js' | 'sh';
  code: string;
}

const LANGUAGES: Record<string, ReadmeExample['language']> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  sh: 'sh',
  bash: 'sh',
};

/**
 * The first example of a package README: the first fenced code block under its `## First example`
 * heading, the one a user copies first.
 */
export function firstExample(readmePath: string): ReadmeExample {
  const readme = readFileSync(readmePath, 'utf8');
  const section = readme.split(/^## First example\s*$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error(`${readmePath} has no "## First example" section`);
  const block = /^```(\w+)\n([\s\S]*?)^```$/m.exec(section);
  const language = LANGUAGES[block?.[1] ?? ''];
  if (block === null || language === undefined) {
    throw new Error(`the first example of ${readmePath} is not a ts, js or sh code block`);
  }
  return { language, code: block[2] ?? '' };
}

/** The file name an example is written to: Node strips the types of a .ts file, .mjs is an ES module. */
export function exampleFileName(example: ReadmeExample): string {
  return { ts: 'example.ts', js: 'example.mjs', sh: 'example.sh' }[example.language];
}
