import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { createClient, type MediaServerClient } from '@media-server/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeClip, type Stack, startStack } from './stack.ts';

const bin = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'media-server.js');
const ESC = '\u001b[';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `media-server` with pipes (not a terminal), as a script would; `as` runs it through another
 * command first (`setpriv` to drop root).
 */
function cli(
  args: string[],
  env: Record<string, string>,
  onSpawn?: (pid: number) => void,
  as: string[] = [],
): Promise<Run> {
  const [command = process.execPath, ...prefix] = [...as, process.execPath];
  const child = spawn(command, [...prefix, bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs `media-server` in a pseudo-terminal (util-linux `script`), so that it draws its bars. */
function cliInTerminal(args: string[], env: Record<string, string>): Promise<Run> {
  const command = [process.execPath, bin, ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
  // A pseudo-terminal starts with no size: give it one, as a terminal window would.
  const child = spawn('script', ['-q', '-e', '-c', `stty cols 160 rows 40; ${command}`, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), TERM: 'xterm-256color', COLUMNS: '160', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr: '' })));
}

describe('the media-server command against the running stack', () => {
  let stack: Stack;
  let client: MediaServerClient;
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    stack = await startStack();
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey });
    dir = await mkdtemp(join(tmpdir(), 'cli-e2e-'));
    clip = join(dir, 'clip.mp4');
    await makeClip(clip, { seconds: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('in a terminal: a bar that ends at 100 %, the job stages, then the links', async () => {
    const run = await cliInTerminal(['upload', clip, '--presets', 'mp4,poster', '--wait'], stack.cliEnv);

    // What the terminal shows, without its colour and cursor codes.
    const shown = stripVTControlCharacters(run.stdout);

    expect(run.code, shown).toBe(0);
    expect(run.stdout).toContain(ESC);
    expect(shown).toMatch(/clip\.mp4 +█{24} 100% 41\.\d KB\/41\.\d KB +succeeded/);
    expect(shown).toMatch(/download +mp4\/mp4 +http:\/\/127\.0\.0\.1:\d+\//);
    expect(shown).toMatch(/download +poster\/poster +http/);
    expect(shown).toMatch(/play mp4 +http/);
  });

  test('--json: several files in parallel, machine-readable results only, exit 0', async () => {
    const second = join(dir, 'second.mp4');
    await makeClip(second, { seconds: 1, size: '128x96' });

    const run = await cli(['upload', clip, second, '--presets', 'poster', '--wait', '--json'], stack.cliEnv);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as Array<{
      file: string;
      id: string;
      state: string;
      playback?: { poster: string | null; hls: string | null };
      downloads: Array<{ url: string }>;
    }>;
    expect(results.map((result) => [result.file, result.state])).toEqual([
      [clip, 'succeeded'],
      [second, 'succeeded'],
    ]);
    for (const result of results) {
      expect(result.playback).toMatchObject({ hls: null, poster: expect.stringMatching(/^http/) });
      expect(result.downloads.length).toBeGreaterThan(0);
      expect((await fetch(result.downloads[0]?.url ?? '')).status).toBe(200);
    }

    const listed = await cli(['jobs', 'ls', '--json'], stack.cliEnv);
    const got = await cli(['jobs', 'get', results[0]?.id ?? '', '--json'], stack.cliEnv);
    const watched = await cli(['jobs', 'watch', results[0]?.id ?? ''], stack.cliEnv);
    const removed = await cli(['jobs', 'rm', results[1]?.id ?? ''], stack.cliEnv);
    const gone = await cli(['jobs', 'get', results[1]?.id ?? ''], stack.cliEnv);

    expect(JSON.parse(listed.stdout).items.map((job: { id: string }) => job.id)).toContain(results[0]?.id);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: results[0]?.id, state: 'succeeded' });
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('succeeded');
    expect(watched.stdout).not.toContain(ESC);
    expect(removed.code).toBe(0);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^media-server: the API said 404: .*\n$/);
  });

  test('--mp4 separate reaches the job: its own MP4 encode beside the HLS ladder', async () => {
    const run = await cli(
      ['upload', clip, '--presets', 'mp4,hls', '--mp4', 'separate', '--wait', '--json'],
      stack.cliEnv,
    );

    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as Array<{ id: string; state: string }>;
    expect(result?.state).toBe('succeeded');
    const job = JSON.parse((await cli(['jobs', 'get', result?.id ?? '', '--json'], stack.cliEnv)).stdout);
    expect(job.mp4).toBe('separate');
    expect(job.outputs.map((output: { preset: string }) => output.preset)).toEqual(
      expect.arrayContaining(['mp4', 'hls']),
    );
  });

  test('a job that fails: its error is printed and the exit code is 1', async () => {
    const notMedia = join(dir, 'not-media.mp4');
    await writeFile(notMedia, 'this is text, not a video '.repeat(100));

    const run = await cli(['upload', notMedia, '--presets', 'mp4', '--wait'], stack.cliEnv);

    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/not-media\.mp4 +job [0-9a-z]{26} +failed\n +error +[A-Z_]+: /);
  });

  test('without a terminal: plain lines, no colours or bars', async () => {
    const run = await cli(['upload', clip, '--presets', 'poster'], { ...stack.cliEnv });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^clip\.mp4: uploaded 41\.\d KB, job [0-9a-z]{26} \w+/);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).not.toContain('█');
  });

  test('bad input: one clear line and the documented exit code, never a stack trace', async () => {
    const subdir = join(dir, 'a-directory');
    await mkdir(subdir, { recursive: true });
    const down = { MEDIA_SERVER_URL: 'http://127.0.0.1:9', MEDIA_SERVER_API_KEY: 'k' };
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['upload', join(dir, 'missing.mp4')], stack.cliEnv, 2, /missing\.mp4: no such file/],
      [['upload', subdir], stack.cliEnv, 2, /is a directory/],
      [['upload', clip, '--presets', 'mp4,gif'], stack.cliEnv, 2, /unknown preset "gif" \(presets: mp4, hls/],
      [
        ['upload', clip, '--mp4', 'twice'],
        stack.cliEnv,
        2,
        /'twice' is invalid\. Allowed choices are shared, separate/,
      ],
      [
        ['upload', clip],
        { ...stack.cliEnv, MEDIA_SERVER_API_KEY: 'wrong-key' },
        2,
        /refused the key \(401\)/,
      ],
      [['upload', clip], down, 3, /cannot reach the API at http:\/\/127\.0\.0\.1:9/],
      [['jobs', 'ls'], {}, 2, /no API URL: pass --url, set MEDIA_SERVER_URL/],
      [['jobs', 'frobnicate'], stack.cliEnv, 2, /unknown command 'frobnicate'/],
    ];
    // Root reads any file: an unreadable one needs another user (util-linux setpriv drops to nobody).
    const unreadable = join(dir, 'unreadable.mp4');
    await writeFile(unreadable, 'x');
    await chmod(unreadable, 0o600);
    await chmod(dir, 0o755);
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const refused = await cli(['upload', unreadable], stack.cliEnv, undefined, asNobody);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toBe(`media-server: ${unreadable}: cannot read it (EACCES)\n`);
    for (const [args, env, code, message] of cases) {
      const run = await cli(args, env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.split('\n')[0]).toMatch(/^media-server: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('Ctrl-C during an upload aborts the multipart upload, says so and exits 130', async () => {
    const big = join(dir, 'big.mp4');
    const file = await open(big, 'w');
    await file.truncate(400 * 1024 * 1024);
    await file.close();
    let pid = 0;

    const running = cli(['upload', big, '--concurrency', '1'], stack.cliEnv, (spawned) => {
      pid = spawned;
    });
    let id: string | undefined;
    const deadline = Date.now() + 60_000;
    while (id === undefined && Date.now() < deadline) {
      const { items } = await client.jobs.list({ limit: 100 });
      id = items.find((job) => job.state === 'awaiting_upload' && job.source.filename === 'big.mp4')?.id;
      if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.kill(pid, 'SIGINT');
    const run = await running;

    expect(id).toBeDefined();
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain(`interrupted: aborted the upload of ${big} (job ${id})`);
    await expect(client.jobs.get(id ?? '')).rejects.toMatchObject({ status: 404 });
  });
});
