import { readdir, readFile } from 'node:fs/promises';

/** Every descendant of `pid`, read from `/proc/<pid>/task/<tid>/children` (Linux). */
export async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const tid of tasks) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const part of text.trim().split(/\s+/)) if (part) children.push(Number(part));
  }
  const below = await Promise.all(children.map((child) => descendants(child)));
  return [...children, ...below.flat()];
}

/** The command name of a process (`ffmpeg`, `bwrap`), or undefined when it is gone. */
export async function commOf(pid: number): Promise<string | undefined> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined))?.trim();
}

/** Whether `pid` still runs: present in /proc and not a zombie (a zombie holds no files and uses no CPU). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
