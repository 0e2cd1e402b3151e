import { existsSync, realpathSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { findExecutable } from './find-executable.ts';
import { isInside, libraryMounts } from './library-paths.ts';
import type { SandboxPaths } from './paths.ts';
import type { Sandbox, SandboxCheck } from './sandbox.ts';

/**
 * Bubblewrap (`bwrap`): every namespace unshared (no network interface but a downed loopback, its own PID
 * namespace with a fresh `/proc`, no IPC, no hostname), an empty environment, a new session (no terminal
 * injection), killed with its parent, and a root filesystem that holds only the binary, its libraries,
 * `/dev`'s basic nodes, the inputs (read-only) and the output directories (read-write). The root itself is
 * read-only.
 */
export const bwrapSandbox: Sandbox = {
  name: 'bwrap',

  /** Path of `bwrap` on this host, or undefined. */
  locate(): string | undefined {
    locatedBwrap ??= { path: findExecutable('bwrap') };
    return locatedBwrap.path;
  },

  /** The command and argv that run `binary args` inside the sandbox. */
  wrap(bwrap, binary, args, paths, cwd) {
    return { command: bwrap, args: [...bwrapArgs(binary, paths, cwd), '--', binary, ...args] };
  },

  /**
   * Starts `binary -version` in the sandbox (once per binary, cached): `{ ok: true }` when the binary ran
   * (whatever its exit code), or why it cannot run here (no `bwrap`, namespaces refused by the kernel or a
   * container's seccomp profile, a library the sandbox lacks).
   */
  check(binary) {
    let p = checks.get(binary);
    if (!p) {
      p = runCheck(binary);
      checks.set(binary, p);
    }
    return p;
  },
};

let locatedBwrap: { path: string | undefined } | undefined;
const checks = new Map<string, Promise<SandboxCheck>>();

async function runCheck(binary: string): Promise<SandboxCheck> {
  const bwrap = bwrapSandbox.locate();
  if (!bwrap) return { ok: false, reason: 'bwrap (bubblewrap) is not installed' };
  if (process.platform !== 'linux') return { ok: false, reason: 'the sandbox needs Linux namespaces' };
  let real: string;
  try {
    real = realpathSync(binary);
  } catch {
    return { ok: false, reason: `${binary} does not exist` };
  }
  const { command, args } = bwrapSandbox.wrap(bwrap, real, ['-hide_banner', '-version'], {
    read: [],
    write: [],
  });
  const r = await execa(command, args, {
    reject: false,
    stdin: 'ignore',
    env: {},
    extendEnv: false,
    timeout: 20_000,
  });
  const stderr = String(r.stderr);
  // The binary ran (whatever its exit): the sandbox works. bwrap's own failures, a library the sandbox
  // lacks, or an exec failure mean it does not.
  const failed =
    r.exitCode === undefined ||
    r.exitCode === 126 ||
    r.exitCode === 127 ||
    /^bwrap: /m.test(stderr) ||
    /error while loading shared libraries/.test(stderr);
  if (!failed) return { ok: true };
  const why = stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${r.exitCode}`;
  return { ok: false, reason: `bwrap could not start ${binary}: ${why}` };
}

function bwrapArgs(binary: string, paths: SandboxPaths, cwd: string | undefined): string[] {
  const libs = libraryMounts(binary);
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--cap-drop', 'ALL'];
  for (const dir of libs.dirs) args.push('--ro-bind', dir, dir);
  for (const file of libs.files) args.push('--ro-bind', file, file);
  for (const link of libs.symlinks) args.push('--symlink', link.target, link.path);
  args.push('--ro-bind', binary, binary, '--proc', '/proc', '--dev', '/dev');
  // Writable directories first, so an input inside one of them is mounted read-only on top.
  const writable: string[] = [];
  for (const dir of paths.write) {
    if (!isDirectory(dir)) continue;
    args.push('--bind', realpathSync(dir), dir);
    writable.push(dir);
  }
  for (const file of paths.read) {
    if (!existsSync(file)) continue;
    args.push('--ro-bind', realpathSync(file), file);
  }
  const chdir = cwd && writable.some((dir) => isInside(cwd, dir)) ? cwd : (writable[0] ?? '/');
  args.push('--chdir', chdir, '--remount-ro', '/');
  return args;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
