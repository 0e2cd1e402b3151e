/**
 * What the `media-server` command exits with (and {@link runCli} answers), for scripts.
 *
 * @example
 * ```ts
 * import { EXIT, runCli } from '@media-server/cli';
 *
 * const code = await runCli(['jobs', 'watch', '01m96enptmmdgxzjsv058he8dm'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 *   signal: new AbortController().signal,
 * });
 * if (code === EXIT.unreachable) console.error('the API is down; try again later');
 * ```
 */
export const EXIT = {
  /** Everything asked for is done (an upload without `--wait`: the job is queued). */
  ok: 0,
  /** A job failed (or, with several files, at least one did). */
  jobFailed: 1,
  /** Bad usage, configuration or input: unknown option or preset, missing file, refused key. */
  usage: 2,
  /** The API cannot be reached (or answers 5xx). */
  unreachable: 3,
  /** Interrupted with Ctrl-C (an upload in flight is aborted first). */
  interrupted: 130,
} as const;
/** One of the {@link EXIT} codes: 0, 1, 2, 3 or 130. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
