import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processTree } from './process-tree-memory.ts';

/** Whether `pid` still runs (a zombie, dead but not yet reaped, counts as gone). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return false;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
}

/**
 * SIGKILLs a child process and every descendant it has (a sandbox launcher's ffmpeg runs one level
 * below it, in its own pid namespace), then waits, at most `waitMs`, until none of them runs: when this
 * resolves, no process of the run can still read its input or write its outputs. The descendants are
 * listed before the root is killed, since they are re-parented once it is gone.
 */
export async function killProcessTree(
  child: { pid?: number | undefined; kill(signal: NodeJS.Signals): boolean },
  waitMs = 2000,
): Promise<void> {
  const root = child.pid;
  const descendants = root === undefined ? [] : await processTree(root, false).catch(() => [] as number[]);
  child.kill('SIGKILL');
  for (const pid of descendants) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const pids = root === undefined ? descendants : [root, ...descendants];
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const running = await Promise.all(pids.map(isRunning));
    if (!running.includes(true)) return;
    await sleep(5);
  }
}
