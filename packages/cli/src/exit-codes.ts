/** What the `media-server` command exits with, for scripts. */
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
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
