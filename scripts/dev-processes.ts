// Runs the `dev` scripts of local-aws, the api and the worker side by side for ./dev.sh, each line of output
// prefixed with its name. Ctrl-C stops them in order (worker and api first, so they finish their work while
// SQS and S3 are still up, then local-aws) and exits 0; a second Ctrl-C kills them at once. If one of them
// exits on its own, the others are stopped and its exit code becomes ours. First it builds @media-server/client
// if its build is missing or stale: the api serves that build to the web page.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { clientBuildIsStale, ensureClientBuild } from './client-build.ts';

interface DevProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
}

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
/** Stopped in this order, the reverse of the start order. */
const packages = [
  { name: 'local-aws', dir: 'packages/local-aws' },
  { name: 'api', dir: 'apps/api' },
  { name: 'worker', dir: 'apps/worker' },
] as const;
const nameWidth = Math.max(...packages.map((entry) => entry.name.length));

function devScript(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const script = manifest.scripts?.dev;
  if (script === undefined) throw new Error(`${dir}/package.json has no "dev" script`);
  return script;
}

function prefixLines(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream): void {
  if (stream === null) return;
  const prefix = `${name.padEnd(nameWidth)} | `;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    out.write(`${prefix}${line}\n`);
  });
}

function start(name: string, dir: string): DevProcess {
  // Its own process group (detached): the terminal's Ctrl-C reaches only this supervisor, which then stops the
  // processes in order. `exec` leaves no shell in between, so signals go straight to node.
  const child = spawn('sh', ['-c', `exec ${devScript(dir)}`], {
    cwd: join(root, dir),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${join(root, dir, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  const exited = new Promise<number>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? (signal === null ? 1 : 128)));
    child.once('error', (error) => {
      process.stderr.write(`${name}: could not start: ${error.message}\n`);
      resolveExit(1);
    });
  });
  return { name, child, exited };
}

function signal(process_: DevProcess, name: NodeJS.Signals): void {
  if (process_.child.exitCode !== null || process_.child.signalCode !== null) return;
  try {
    process_.child.kill(name);
  } catch {
    // Already gone.
  }
}

if (await clientBuildIsStale()) {
  process.stderr.write('building @media-server/client (the web page imports its browser build)…\n');
  await ensureClientBuild();
}
const running = packages.map((entry) => start(entry.name, entry.dir));
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  for (const devProcess of running.toReversed()) {
    signal(devProcess, 'SIGINT');
    await devProcess.exited;
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => {
  if (stopping) {
    process.stderr.write('\nkilling everything\n');
    for (const devProcess of running) signal(devProcess, 'SIGKILL');
    process.exit(130);
  }
  process.stderr.write('\nstopping worker, api, then local-aws (Ctrl-C again to kill them at once)\n');
  void stopAll(0);
});
process.on('SIGTERM', () => void stopAll(0));

for (const devProcess of running) {
  void devProcess.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`${devProcess.name} exited with code ${code}; stopping the others\n`);
    void stopAll(code === 0 ? 1 : code);
  });
}
