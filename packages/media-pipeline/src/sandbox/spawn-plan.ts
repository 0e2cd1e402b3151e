import { accessSync, constants, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { SandboxUnavailableError } from '../errors.ts';
import { bwrapSandbox } from './bwrap.ts';
import { findExecutable } from './find-executable.ts';
import { defaultSandboxMode, type Isolation, type SandboxMode } from './mode.ts';
import type { SandboxPaths } from './paths.ts';
import type { Sandbox } from './sandbox.ts';

/** How to start one ffmpeg/ffprobe run: the one place where (binary, args, paths) become a command. */
export interface SpawnPlan {
  command: string;
  args: string[];
  /** The complete environment of the child (never the worker's: no credentials, no tokens). */
  env: Record<string, string>;
  isolation: Isolation;
  /** Set when the run is not sandboxed although the mode allowed it (`auto` on a host without the sandbox). */
  unsandboxedReason: string | undefined;
  /** The binary's own exit, with the launcher's `128 + signal` exit code turned back into the signal. */
  exitOf(result: { exitCode?: number | undefined; signal?: string | undefined }): {
    exitCode: number | undefined;
    signal: string | undefined;
  };
  /** The binary's pid below the launcher (for memory watching), undefined once it is gone. */
  binaryPid(childPid: number | undefined): Promise<number | undefined>;
}

/** Options of {@link planSpawn}. */
export interface SpawnPlanOptions {
  /** Default {@link defaultSandboxMode}. */
  mode?: SandboxMode | undefined;
  /** What the run may read and write inside the sandbox. */
  paths: SandboxPaths;
  cwd?: string | undefined;
  /** Default: bubblewrap. */
  sandbox?: Sandbox | undefined;
}

/** Variables an unsandboxed binary keeps; everything else (AWS keys, tokens) is dropped. */
const KEPT_ENV = ['PATH', 'LD_LIBRARY_PATH', 'TZ', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR'];

/**
 * Turns a binary, its argv and the paths it works on into the command to spawn:
 * - sandboxed (`required`, or `auto` where the sandbox starts): `bwrap … -- binary args`, empty env;
 * - unsandboxed: `setpriv --pdeathsig KILL -- binary args` (util-linux; the kernel kills the binary when
 *   the thread that spawned it dies, even on SIGKILL; Node spawns from its main thread, so that is when
 *   the process dies), with an environment reduced to {@link KEPT_ENV}. Without `setpriv` the binary
 *   is spawned directly and only execa's exit hook kills it.
 *
 * @throws SandboxUnavailableError in `required` mode when the sandbox cannot start here.
 */
export async function planSpawn(
  binary: string,
  args: readonly string[],
  options: SpawnPlanOptions,
): Promise<SpawnPlan> {
  const mode = options.mode ?? defaultSandboxMode();
  const sandbox = options.sandbox ?? bwrapSandbox;
  // A binary that cannot run fails on spawn as it always did (FfmpegNotFoundError), sandbox or not.
  if (!isExecutable(binary)) return unsandboxed(binary, args, undefined, false);
  if (mode === 'off') return unsandboxed(binary, args, undefined);
  const real = realpathSync(binary);
  const check = await sandbox.check(real);
  if (!check.ok) {
    if (mode === 'required') throw new SandboxUnavailableError(check.reason);
    return unsandboxed(binary, args, check.reason);
  }
  const launcher = sandbox.locate();
  if (!launcher) throw new SandboxUnavailableError(`${sandbox.name} disappeared`);
  const wrapped = sandbox.wrap(launcher, real, args, options.paths, options.cwd);
  return {
    ...wrapped,
    env: {},
    isolation: sandbox.name,
    unsandboxedReason: undefined,
    exitOf: launcherExit,
    binaryPid: leafPid,
  };
}

function unsandboxed(
  binary: string,
  args: readonly string[],
  reason: string | undefined,
  withDeathSignal = true,
): SpawnPlan {
  const env: Record<string, string> = {};
  for (const name of KEPT_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const setpriv = withDeathSignal && process.platform === 'linux' ? locateSetpriv() : undefined;
  return {
    command: setpriv ?? binary,
    args: setpriv ? ['--pdeathsig', 'KILL', '--', binary, ...args] : [...args],
    env,
    isolation: 'none',
    unsandboxedReason: reason,
    exitOf: (r) => ({ exitCode: r.exitCode, signal: r.signal }),
    // setpriv execs the binary: same pid.
    binaryPid: async (pid) => pid,
  };
}

let setprivPath: { path: string | undefined } | undefined;
function locateSetpriv(): string | undefined {
  setprivPath ??= { path: findExecutable('setpriv') };
  return setprivPath.path;
}

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n, name]));

/** bwrap exits with `128 + N` when the sandboxed binary died of signal N. */
function launcherExit(r: { exitCode?: number | undefined; signal?: string | undefined }): {
  exitCode: number | undefined;
  signal: string | undefined;
} {
  if (r.signal === undefined && r.exitCode !== undefined && r.exitCode > 128) {
    const name = SIGNAL_NAMES.get(r.exitCode - 128);
    if (name) return { exitCode: undefined, signal: name };
  }
  return { exitCode: r.exitCode, signal: r.signal };
}

/** Follows the first child from `pid` down to the last process (bwrap → its init → the binary). */
async function leafPid(pid: number | undefined): Promise<number | undefined> {
  let current = pid;
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    const children = await readFile(`/proc/${current}/task/${current}/children`, 'utf8').catch(() => '');
    const first = Number(children.trim().split(/\s+/)[0]);
    if (!Number.isInteger(first) || first <= 0) return depth === 0 ? undefined : current;
    current = first;
  }
  return current;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
