import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { removeOrphanTempDirs } from './orphan-temp-dirs.ts';

const log = pino({ level: 'silent' });

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('removeOrphanTempDirs', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('removes a dead worker’s dir only when no process uses it; keeps live owners’ dirs', async () => {
    // Prepare
    const root = await mkdtemp(join(tmpdir(), 'worker-orphans-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dead = await deadPid();
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    cleanups.push(() => void holder.kill('SIGKILL'));
    const names = {
      orphan: `w${dead}-job1-a`,
      held: `w${dead}-job2-b`,
      mine: `w${process.pid}-job3-c`,
      liveOwner: `w${holder.pid}-job4-d`,
      other: 'not-a-job-dir',
    };
    for (const name of Object.values(names)) await mkdir(join(root, name, 'out'), { recursive: true });
    // An ffmpeg that outlived its worker: a process with a file of the dead worker's dir open.
    const file = join(root, names.held, 'out', 'video.mp4');
    await writeFile(file, 'partial');
    const fd = openSync(file, 'a');
    const user = spawn('sleep', ['60'], { stdio: ['ignore', fd, 'ignore'] });
    closeSync(fd);
    cleanups.push(() => void user.kill('SIGKILL'));
    await new Promise((resolve) => user.once('spawn', resolve));

    // Act
    const removed = await removeOrphanTempDirs(root, log);

    // Assess
    expect(removed).toEqual([names.orphan]);
    expect((await readdir(root)).sort()).toEqual(
      [names.held, names.mine, names.liveOwner, names.other].sort(),
    );

    // Once nothing uses it any more, the next pass removes it.
    user.kill('SIGKILL');
    await new Promise((resolve) => user.once('exit', resolve));
    expect(await removeOrphanTempDirs(root, log)).toEqual([names.held]);
  });
});
