import { readdir, readFile, readlink } from 'node:fs/promises';

/** One sample of a process tree's memory. */
export interface TreeMemorySample {
  /** Sum of the current resident set sizes (VmRSS) of every process in the tree, in bytes. */
  rssBytes: number;
  /** Pids seen in the tree (root first). */
  pids: number[];
}

const selfExe = readlink('/proc/self/exe').catch(() => undefined);

/**
 * Every live descendant of `root` (and `root` itself unless `includeRoot` is false), found by scanning
 * `/proc/<pid>/stat` for parent pids (the kernel's `children` files are not always built in). Only pids
 * above `root` are read: descendants are created after it, so they get higher pids unless the pid
 * counter wrapped around in between (then they are missed). Linux only; elsewhere it returns `[]`.
 */
export async function processTree(root: number, includeRoot = true): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) <= root) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parentOf.set(Number(entry), ppid);
  }
  const rootAlive = await readFile(`/proc/${root}/stat`, 'utf8').then(
    () => true,
    () => false,
  );
  const tree = includeRoot && rootAlive ? [root] : [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent && !tree.includes(pid)) {
        tree.push(pid);
        frontier.push(pid);
      }
    }
  }
  return tree;
}

/**
 * Samples the memory of a process and all its descendants (ffmpeg, ffprobe, and whatever wraps them,
 * such as a sandbox) every `intervalMs`, from `/proc/<pid>/status`:
 * - `peakBytes`: the sum over every process seen of its own peak (VmHWM): an upper bound of the tree's
 *   peak, and exact for a tree of one process;
 * - `peakConcurrentRssBytes`: the highest sum of current RSS seen in one sample (a lower bound).
 * A child that has not yet exec'd (it still runs Node's image) is skipped: its VmHWM is Node's.
 * Processes shorter than `intervalMs` can be missed. Linux only; elsewhere both stay `undefined`.
 *
 * @example
 * const watch = new ProcessTreeMemory(process.pid, { includeRoot: false });
 * await runFfmpeg(cmd);
 * watch.stop();
 * console.log(watch.peakBytes);
 */
export class ProcessTreeMemory {
  readonly #root: number;
  readonly #includeRoot: boolean;
  readonly #hwm = new Map<number, number>();
  readonly #onSample: ((sample: TreeMemorySample) => void) | undefined;
  #peakConcurrent: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #pids: number[] = [];
  /** Pids known to run their own image (exec done): their exe need not be read again. */
  readonly #execed = new Set<number>();
  #nextScanAt = 0;
  #scanEveryMs = 50;

  constructor(
    root: number,
    o: {
      /** Count the root process itself. Default `true`. */
      includeRoot?: boolean | undefined;
      /** Default 50 ms. */
      intervalMs?: number | undefined;
      /** Called after every sample. */
      onSample?: ((sample: TreeMemorySample) => void) | undefined;
    } = {},
  ) {
    this.#root = root;
    this.#includeRoot = o.includeRoot ?? true;
    this.#onSample = o.onSample;
    if (process.platform !== 'linux') return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), o.intervalMs ?? 50);
    this.#timer.unref();
  }

  /** Takes one sample now (also called on the timer). */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      // Scanning all of /proc is the costly part, and children (a sandbox's ffmpeg) appear right after
      // the start: rescan after 50 ms, 100 ms, 200 ms, … then every 5 s; every tick while none is known.
      if (this.#pids.length === 0 || Date.now() >= this.#nextScanAt) {
        this.#pids = await processTree(this.#root, this.#includeRoot);
        this.#nextScanAt = Date.now() + this.#scanEveryMs;
        this.#scanEveryMs = Math.min(this.#scanEveryMs * 2, 5000);
      }
      const pids = this.#pids;
      const self = await selfExe;
      let rss = 0;
      for (const pid of pids) {
        if (!this.#execed.has(pid) && pid !== process.pid) {
          const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
          if (self !== undefined && exe === self) continue;
          this.#execed.add(pid);
        }
        const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
        const hwm = kib(status, 'VmHWM');
        if (hwm !== undefined) this.#hwm.set(pid, Math.max(this.#hwm.get(pid) ?? 0, hwm));
        rss += kib(status, 'VmRSS') ?? 0;
      }
      if (pids.length > 0) this.#peakConcurrent = Math.max(this.#peakConcurrent ?? 0, rss);
      this.#onSample?.({ rssBytes: rss, pids });
    } finally {
      this.#busy = false;
    }
  }

  /** Sum of the peak RSS (VmHWM) of every process seen, in bytes. */
  get peakBytes(): number | undefined {
    if (this.#hwm.size === 0) return undefined;
    let sum = 0;
    for (const v of this.#hwm.values()) sum += v;
    return sum;
  }

  /** Highest sum of current RSS in one sample, in bytes. */
  get peakConcurrentRssBytes(): number | undefined {
    return this.#peakConcurrent;
  }

  /** Pids seen so far. */
  get pidsSeen(): number[] {
    return [...this.#hwm.keys()];
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}

function kib(status: string, field: string): number | undefined {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}
