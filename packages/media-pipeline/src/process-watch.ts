import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupTarget } from './builder.ts';
import { ProcessTreeMemory, processTree } from './process-tree-memory.ts';

/** Signals that mean the binary crashed (as opposed to being killed by someone). */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set([
  'SIGSEGV',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGILL',
  'SIGTRAP',
]);

/** Keeps the last `max` lines of a stream (split on `\n` and `\r`). */
export class LineTail {
  readonly #max: number;
  readonly #lines: string[] = [];
  #partial = '';

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: string): void {
    const parts = (this.#partial + chunk).split(/\r\n|\r|\n/);
    this.#partial = parts.pop() ?? '';
    for (const p of parts) this.#add(p);
  }

  #add(line: string): void {
    if (!line.trim()) return;
    this.#lines.push(line);
    if (this.#lines.length > this.#max) this.#lines.shift();
  }

  /** The kept lines, including an unterminated last one. */
  lines(): string[] {
    const out = [...this.#lines];
    if (this.#partial.trim()) out.push(this.#partial);
    return out.slice(-this.#max);
  }
}

/**
 * Watches the peak memory of a process and its descendants (see {@link ProcessTreeMemory}) and calls
 * `onExceed` once when it passes `limitBytes`. `pid` is the spawned process: a launcher (the sandbox)
 * and the binary below it are both counted. Elsewhere than Linux `peakBytes` stays `undefined`.
 */
export class MemoryWatch {
  readonly #tree: ProcessTreeMemory | undefined;
  #fired = false;

  constructor(
    pid: number | undefined,
    limitBytes: number | undefined,
    onExceed: (peak: number) => void,
    intervalMs: number = limitBytes === undefined ? 250 : 50,
  ) {
    if (pid === undefined || process.platform !== 'linux') return;
    this.#tree = new ProcessTreeMemory(pid, {
      intervalMs,
      onSample: () => {
        const peak = this.#tree?.peakBytes;
        if (limitBytes !== undefined && peak !== undefined && peak > limitBytes && !this.#fired) {
          this.#fired = true;
          onExceed(peak);
        }
      },
    });
  }

  /** Peak memory of the process tree, in bytes (sum of each process's VmHWM). */
  get peakBytes(): number | undefined {
    return this.#tree?.peakBytes;
  }

  stop(): void {
    this.#tree?.stop();
  }
}

/** Deletes every cleanup target; never throws. */
export async function removeTargets(targets: readonly CleanupTarget[]): Promise<void> {
  for (const t of targets) {
    try {
      if ('path' in t) {
        await rm(t.path, { force: true, recursive: true });
      } else {
        const names = await readdir(t.dir).catch(() => [] as string[]);
        for (const name of names) {
          if (name.startsWith(t.prefix)) await rm(join(t.dir, name), { force: true, recursive: true });
        }
      }
    } catch {
      // best effort
    }
  }
}

/**
 * SIGKILLs `pid` and every process under it (Linux; elsewhere only `pid`), the deepest first, each
 * level once the one below is gone: a launcher (the sandbox's PID-namespace init) still alive reaps its
 * children, which would otherwise stay zombies where PID 1 does not reap. Returns the pids signalled.
 */
export async function killTree(pid: number | undefined): Promise<number[]> {
  if (pid === undefined) return [];
  const below = process.platform === 'linux' ? await processTree(pid, false) : [];
  // processTree lists parents before their children: kill from the end.
  for (const p of [...below].reverse()) {
    signal(p);
    await waitGone([p], 1000);
  }
  signal(pid);
  return [pid, ...below];
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Resolves once none of `pids` exists any more (or after `timeoutMs`). */
export async function waitGone(pids: readonly number[], timeoutMs = 5000): Promise<void> {
  if (process.platform !== 'linux') return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all(
      pids.map((p) =>
        access(`/proc/${p}`).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!alive.some(Boolean) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
