import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupTarget } from './builder.ts';
import { ProcessTreeMemory } from './process-tree-memory.ts';

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
 * `onExceed` once when it passes `limitBytes`. Elsewhere than Linux `peakBytes` stays `undefined`.
 * `pid` may be a function, asked until it answers, for a binary that runs below a launcher (the
 * sandbox): the launcher's own memory is not the binary's.
 */
export class MemoryWatch {
  #tree: ProcessTreeMemory | undefined;
  #fired = false;
  #stopped = false;

  constructor(
    pid: number | undefined | (() => Promise<number | undefined>),
    limitBytes: number | undefined,
    onExceed: (peak: number) => void,
    intervalMs: number = limitBytes === undefined ? 250 : 50,
  ) {
    if (pid === undefined || process.platform !== 'linux') return;
    const start = (root: number): void => {
      if (this.#stopped) return;
      this.#tree = new ProcessTreeMemory(root, {
        intervalMs,
        onSample: () => {
          const peak = this.#tree?.peakBytes;
          if (limitBytes !== undefined && peak !== undefined && peak > limitBytes && !this.#fired) {
            this.#fired = true;
            onExceed(peak);
          }
        },
      });
    };
    if (typeof pid === 'number') {
      start(pid);
      return;
    }
    void (async () => {
      while (!this.#stopped) {
        const root = await pid().catch(() => undefined);
        if (root !== undefined) return start(root);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  }

  /** Peak memory of the process tree, in bytes (sum of each process's VmHWM). */
  get peakBytes(): number | undefined {
    return this.#tree?.peakBytes;
  }

  stop(): void {
    this.#stopped = true;
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
