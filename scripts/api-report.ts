// The API reports of the publishable libraries (Microsoft API Extractor, packages/<pkg>/api-report/*.api.md),
// made from the .d.ts in their dist/, so run it after `pnpm build`.
//   node scripts/api-report.ts check    compares every report with the built API; fails with the diff
//   node scripts/api-report.ts update   rewrites the reports
// Every api-extractor*.json of a non-private package is one report (the client has two entry points).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  Extractor,
  ExtractorConfig,
  type ExtractorMessage,
  ExtractorMessageCategory,
} from '@microsoft/api-extractor';

const root = join(import.meta.dirname, '..');
const mode = process.argv[2];
if (mode !== 'check' && mode !== 'update') {
  process.stderr.write('usage: node scripts/api-report.ts <check|update>\n');
  process.exit(2);
}

function reportConfigs(): string[] {
  const configs: string[] = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).private === true) continue;
    const found = readdirSync(dir).filter((file) => /^api-extractor(\..+)?\.json$/.test(file));
    if (found.length === 0) throw new Error(`packages/${name} is published but has no api-extractor.json`);
    configs.push(...found.sort().map((file) => join(dir, file)));
  }
  return configs;
}

/** Runs API Extractor on one config; answers a failure to print, or undefined when the report is current. */
function runOne(configPath: string): string | undefined {
  const label = relative(root, configPath);
  let config: ExtractorConfig;
  try {
    config = ExtractorConfig.loadFileAndPrepare(configPath);
  } catch (error) {
    // Most often the entry point's .d.ts does not exist yet.
    return `${label}: ${(error as Error).message.replaceAll(`${root}/`, '')}\nIs the package built? Run \`pnpm build\` first.`;
  }
  mkdirSync(config.reportFolder, { recursive: true });
  mkdirSync(config.reportTempFolder, { recursive: true });
  const problems: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: mode === 'update',
    messageCallback: (message: ExtractorMessage) => {
      // Findings (forgotten exports, TSDoc) live in the report; the console messages only narrate what
      // this script reports itself (report changed, copied).
      const problem = message.logLevel === 'error' || message.logLevel === 'warning';
      if (problem && message.category !== ExtractorMessageCategory.Console) {
        problems.push(`  ${message.logLevel}: ${message.formatMessageWithLocation(root)}`);
      }
      message.handled = true;
    },
  });
  const [report] = config.reportConfigs;
  if (report === undefined) return `${label}: no API report configured`;
  const checkedIn = join(config.reportFolder, report.fileName);
  const current = join(config.reportTempFolder, report.fileName);
  if (mode === 'check' && result.apiReportChanged) {
    const diff = existsSync(checkedIn)
      ? spawnSync('diff', ['-u', checkedIn, current], { encoding: 'utf8' }).stdout
      : '(no report checked in)\n';
    return [
      `${label}: the public API of ${config.packageJson?.name} differs from ${relative(root, checkedIn)}:`,
      diff.replaceAll(`${root}/`, ''),
      'If the change is intended, run `pnpm api:update` and commit the report with it.',
      ...problems,
    ].join('\n');
  }
  if (!result.succeeded || problems.length > 0) {
    return [`${label}: API Extractor failed`, ...problems].join('\n');
  }
  if (mode === 'update' && result.apiReportChanged) {
    console.log(`updated ${relative(root, checkedIn)}`);
  }
  // Every public export carries TSDoc: API Extractor marks the others `(undocumented)` in the report.
  const undocumented = readFileSync(current, 'utf8')
    .split('\n')
    .flatMap((line, i, lines) => (line.includes('(undocumented)') ? [lines[i + 1]?.trim() ?? ''] : []));
  if (undocumented.length > 0) {
    return [
      `${label}: ${undocumented.length} public export(s) without TSDoc:`,
      ...undocumented.map((l) => `  ${l}`),
    ].join('\n');
  }
  return undefined;
}

const failures: string[] = [];
const configs = reportConfigs();
for (const configPath of configs) {
  const failure = runOne(configPath);
  if (failure !== undefined) failures.push(failure);
}
for (const failure of failures) console.error(`\n${failure}`);
console.log(`api:${mode}: ${configs.length} reports, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
