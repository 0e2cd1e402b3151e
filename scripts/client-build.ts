// Builds @media-server/client (packages/client/dist) when its build is missing or older than its sources.
// The API serves that build to the web page (/vendor/media-server-client/), but ./dev.sh and Vitest run the
// apps from source, with no `turbo run build` before them. Usage: `node scripts/client-build.ts`, or
// import `ensureClientBuild()` (scripts/dev-processes.ts, the api's Vitest globalSetup).
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'client');
/** What the build reads besides `src/`. */
const BUILD_INPUTS = ['package.json', 'tsdown.config.ts', 'tsconfig.json'];

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function newestInput(): Promise<number> {
  const sources = await readdir(join(clientDir, 'src'), { recursive: true, withFileTypes: true });
  const paths = [
    ...sources.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)),
    ...BUILD_INPUTS.map((file) => join(clientDir, file)),
  ];
  const times = await Promise.all(paths.map(mtimeOf));
  return Math.max(...times.map((time) => time ?? 0));
}

/** True when `dist/index.js` is missing or older than a source file or the build's configuration. */
export async function clientBuildIsStale(): Promise<boolean> {
  const built = await mtimeOf(join(clientDir, 'dist', 'index.js'));
  return built === undefined || built < (await newestInput());
}

/** Runs the client's `build` script (tsdown) if {@link clientBuildIsStale}; answers whether it built. */
export async function ensureClientBuild(): Promise<boolean> {
  if (!(await clientBuildIsStale())) return false;
  // Its output is shown only when it fails (tsdown prints notes and warnings on every build).
  let output = '';
  const code = await new Promise<number>((resolveExit, reject) => {
    const child = spawn('pnpm', ['run', '--silent', 'build'], {
      cwd: clientDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolveExit(exitCode ?? (signal === null ? 1 : 128)));
  });
  if (code !== 0) {
    throw new Error(`building @media-server/client failed (exit code ${code}) in ${clientDir}:\n${output}`);
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await ensureClientBuild();
  process.stderr.write(built ? '@media-server/client built\n' : '@media-server/client is up to date\n');
}
