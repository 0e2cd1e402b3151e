import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcessTreeMemory, processTree } from '../src/process-tree-memory.ts';

describe('ProcessTreeMemory', () => {
  it('finds and measures the children of a process, not just the process', async () => {
    // Prepare: sh → sleep, like a sandbox wrapper → ffmpeg.
    const child = spawn('sh', ['-c', 'sleep 3 & wait'], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    const watch = new ProcessTreeMemory(pid, { intervalMs: 20 });
    try {
      // Act: wait (generously) until the grandchild has been seen.
      const deadline = Date.now() + 10_000;
      while (watch.pidsSeen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Assess
      const tree = await processTree(pid);
      expect(tree[0]).toBe(pid);
      expect(tree.length).toBe(2);
      expect(watch.pidsSeen.sort()).toEqual([...tree].sort());
      expect(watch.peakBytes).toBeGreaterThan(0);
      expect(watch.peakBytes).toBeGreaterThanOrEqual(watch.peakConcurrentRssBytes ?? 0);
    } finally {
      watch.stop();
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
