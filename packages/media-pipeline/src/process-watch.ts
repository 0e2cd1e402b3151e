import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupTarget } from './builder.ts';

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
 * Polls `/proc/<pid>/status` (Linux) for the peak resident set size (VmHWM) and calls `onExceed` once when
 * it passes `limitBytes`. Elsewhere `peakBytes` stays `undefined`. `pid` may be a function, asked on every
 * poll, for a binary that runs below a launcher (the sandbox).
 */
export class MemoryWatch {
  #peak: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #fired = false;

  constructor(
    pid: number | undefined | (() => Promise<number | undefined>),
    limitBytes: number | undefined,
    onExceed: (peak: number) => void,
    intervalMs: number = limitBytes === undefined ? 250 : 50,
  ) {
    if (pid === undefined || process.platform !== 'linux') return;
    const tick = async (): Promise<void> => {
      try {
        const target = typeof pid === 'function' ? await pid() : pid;
        if (target === undefined) return;
        const status = await readFile(`/proc/${target}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(status);
        if (m) {
          const bytes = Number(m[1]) * 1024;
          this.#peak = Math.max(this.#peak ?? 0, bytes);
          if (limitBytes !== undefined && bytes > limitBytes && !this.#fired) {
            this.#fired = true;
            onExceed(bytes);
          }
        }
      } catch {
        // process gone
      }
    };
    void tick();
    this.#timer = setInterval(() => void tick(), intervalMs);
    this.#timer.unref();
  }

  /** Highest VmHWM seen, in bytes. */
  get peakBytes(): number | undefined {
    return this.#peak;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
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
