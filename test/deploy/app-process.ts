import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT: string = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/**
 * Builds the folder an app's image runs (`infra/images/prepare-app.sh`, the same script the Dockerfile
 * runs): the bundled app and its production dependencies only. The worker's folder drops npm's bundled
 * ffmpeg like the image does; the caller points FFMPEG_PATH at a system ffmpeg, as the image's ENV does.
 */
export async function prepareDeployFolder(app: 'api' | 'worker', outDir: string): Promise<void> {
  const args = [join(ROOT, 'infra/images/prepare-app.sh'), app, outDir];
  if (app === 'worker') args.push('--system-ffmpeg');
  await run('bash', args, { cwd: ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
}

/** An app started from a deploy folder as the image's CMD starts it, with its JSON log lines. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.child = child;
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.logs.push(JSON.parse(text) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: text });
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * `node [flags] dist/main.js` in `folder` with exactly `env` (plus PATH and HOME): no
   * `--conditions=@media-server/source`, no NODE_OPTIONS, no workspace around it to fall back on.
   */
  static start(folder: string, env: Record<string, string>, flags: string[] = []): AppProcess {
    const child = spawn(process.execPath, [...flags, 'dist/main.js'], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(child);
  }

  /** Resolves with the first log line `test` accepts; rejects when the process exits first or after the deadline. */
  async waitForLog(
    test: (line: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => {
      exitCode = code;
    });
    for (;;) {
      const found = this.logs.find(test);
      if (found) return found;
      if (exitCode !== undefined)
        throw new Error(`process exited (${exitCode}) before the log line: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 30 s). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Polls `url` until it answers 200 (or the deadline passes). */
export async function waitForOk(url: string, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A short H.264/AAC clip made by ffmpeg from lavfi sources. */
export async function makeClip(ffmpeg: string, file: string, seconds = 2): Promise<void> {
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=320x240:rate=25:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
}
