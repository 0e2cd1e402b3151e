import { readdir, readlink, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/**
 * Removes job directories (`w<pid>-<jobId>-…`) left behind by worker processes that no longer run (kill -9,
 * OOM). A directory is kept while its owner pid is alive, or while any process has a file in it open or
 * its working directory in it (Linux `/proc/<pid>/fd`, `/proc/<pid>/cwd`): an ffmpeg that outlived its
 * worker must never have its files deleted under it.
 */
export async function removeOrphanTempDirs(tempDir: string, log: Logger): Promise<string[]> {
  const entries = await readdir(tempDir).catch(() => [] as string[]);
  const candidates = entries.filter((name) => {
    const pid = Number(/^w(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  });
  if (candidates.length === 0) return [];
  const inUse = await dirsInUse(tempDir);
  const removed: string[] = [];
  for (const name of candidates) {
    const holders = inUse.get(name);
    if (holders) {
      log.warn({ dir: name, pids: [...holders] }, 'kept a dead worker’s temp dir: processes still use it');
      continue;
    }
    await rm(join(tempDir, name), { recursive: true, force: true });
    removed.push(name);
    log.info({ dir: name }, 'removed a temp dir left by a dead worker');
  }
  return removed;
}

/** Whether a process with this pid exists (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The entries of `tempDir` that some process holds open (a file descriptor or its working directory), with
 * the pids. Empty where `/proc` is not readable (not Linux): the owner-pid check is then all there is.
 */
export async function dirsInUse(tempDir: string): Promise<Map<string, Set<number>>> {
  const root = await realpath(tempDir).catch(() => tempDir);
  const prefixes = [...new Set([root, tempDir])].map((p) => `${p}/`);
  const used = new Map<string, Set<number>>();
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  await Promise.all(
    pids.map(async (pid) => {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      const links = await Promise.all([
        readlink(`/proc/${pid}/cwd`).catch(() => ''),
        ...fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')),
      ]);
      for (const link of links) {
        const prefix = prefixes.find((p) => link.startsWith(p));
        if (!prefix) continue;
        const name = link.slice(prefix.length).split('/')[0] ?? '';
        if (!name) continue;
        const set = used.get(name) ?? new Set<number>();
        set.add(Number(pid));
        used.set(name, set);
      }
    }),
  );
  return used;
}
