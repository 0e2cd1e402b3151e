/**
 * How ffmpeg and ffprobe are isolated:
 * - `required`: always in the sandbox; a run is refused (`SandboxUnavailableError`) when it cannot start.
 * - `auto`: in the sandbox when it works on this host, else unsandboxed (the run reports `isolation: 'none'`).
 * - `off`: never sandboxed.
 *
 * In every mode the binary dies with the process that started it (see the README's Sandbox section).
 */
export type SandboxMode = 'required' | 'auto' | 'off';

/** What a run actually got: `'bwrap'` (namespaces, see README) or `'none'`. */
export type Isolation = 'bwrap' | 'none';

/** Every {@link SandboxMode}, for validating settings. */
export const SANDBOX_MODES: readonly SandboxMode[] = ['required', 'auto', 'off'];

let configured: SandboxMode | undefined;

/**
 * Whether `value` is a {@link SandboxMode}: for validating a setting before using it.
 *
 * @example
 * ```ts
 * import { isSandboxMode, setDefaultSandboxMode } from '@media-server/media-pipeline';
 *
 * const raw = process.env.WORKER_SANDBOX ?? 'auto';
 * if (!isSandboxMode(raw)) throw new Error(`WORKER_SANDBOX must be required, auto or off, got ${raw}`);
 * setDefaultSandboxMode(raw);
 * ```
 */
export function isSandboxMode(value: unknown): value is SandboxMode {
  return typeof value === 'string' && (SANDBOX_MODES as readonly string[]).includes(value);
}

/**
 * Sets the mode every run uses when its options name none (a worker calls this once at start).
 * `undefined` goes back to the environment's `FFMPEG_SANDBOX`, else `auto`.
 *
 * @example
 * ```ts
 * import { setDefaultSandboxMode } from '@media-server/media-pipeline';
 *
 * setDefaultSandboxMode('required'); // every later run and probe without its own `sandbox` option
 * ```
 */
export function setDefaultSandboxMode(mode: SandboxMode | undefined): void {
  configured = mode;
}

/**
 * The mode of a run whose options name none: the one set by {@link setDefaultSandboxMode}, else
 * `FFMPEG_SANDBOX` from the environment, else `auto`.
 *
 * @param env - Where `FFMPEG_SANDBOX` is read. Default `process.env`.
 * @throws TypeError when `FFMPEG_SANDBOX` holds something else than `required`, `auto` or `off`.
 * @example
 * ```ts
 * import { defaultSandboxMode } from '@media-server/media-pipeline';
 *
 * console.log(`ffmpeg sandbox: ${defaultSandboxMode()}`); // 'auto' unless configured
 * ```
 */
export function defaultSandboxMode(env: NodeJS.ProcessEnv = process.env): SandboxMode {
  if (configured) return configured;
  const raw = env.FFMPEG_SANDBOX?.trim();
  if (!raw) return 'auto';
  if (!isSandboxMode(raw)) throw new TypeError(`FFMPEG_SANDBOX must be required, auto or off, got "${raw}"`);
  return raw;
}
