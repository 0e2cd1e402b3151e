import type { SandboxPaths } from './paths.ts';

/** Whether the sandbox starts on this host for a binary. */
export type SandboxCheck = { ok: true } | { ok: false; reason: string };

/**
 * A sandbox implementation: the runner only asks it to wrap a command. Bubblewrap is the one shipped
 * (`bwrapSandbox`); another (nsjail, minijail, a seccomp launcher) fits behind the same four members.
 */
export interface Sandbox {
  /** Reported as the run's isolation. */
  readonly name: 'bwrap';
  /** Path of the launcher on this host, or undefined when it is not installed. */
  locate(): string | undefined;
  /** The command and argv that run `binary args` inside the sandbox, seeing only `paths`. */
  wrap(
    launcher: string,
    binary: string,
    args: readonly string[],
    paths: SandboxPaths,
    cwd?: string | undefined,
  ): { command: string; args: string[] };
  /** Whether the sandbox really starts `binary` on this host (cached per binary). */
  check(binary: string): Promise<SandboxCheck>;
}
