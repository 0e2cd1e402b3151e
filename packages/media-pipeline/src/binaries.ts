import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FfmpegNotFoundError } from './errors.ts';

/** Paths of the two binaries the package runs. */
export interface FfmpegBinaries {
  /** Absolute path of `ffmpeg`. */
  ffmpeg: string;
  /** Absolute path of `ffprobe`. */
  ffprobe: string;
}

const require = createRequire(import.meta.url);
let cached: FfmpegBinaries | undefined;

/**
 * Resolves `ffmpeg` and `ffprobe`: `FFMPEG_PATH` / `FFPROBE_PATH` when set, otherwise the binaries of
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`. A bundled binary whose run bit is missing
 * (npm 11 does not run the installers' scripts) is made executable; when that fails a
 * {@link FfmpegNotFoundError} explains why. Cached after the first call.
 *
 * @throws FfmpegNotFoundError when a binary cannot be found or executed.
 */
export function resolveBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  if (cached && env === process.env) return cached;
  const result = {
    ffmpeg: resolveOne('ffmpeg', env.FFMPEG_PATH, '@ffmpeg-installer/ffmpeg'),
    ffprobe: resolveOne('ffprobe', env.FFPROBE_PATH, '@ffprobe-installer/ffprobe'),
  };
  if (env === process.env) cached = result;
  return result;
}

/** Forgets the cached result of {@link resolveBinaries} (for tests that change the environment). */
export function resetBinariesCache(): void {
  cached = undefined;
}

function resolveOne(name: string, override: string | undefined, pkg: string): string {
  if (override) {
    ensureExecutable(name, override, false);
    return override;
  }
  let path: string;
  try {
    path = (require(pkg) as { path: string }).path;
  } catch (cause) {
    throw new FfmpegNotFoundError(
      `${name}: ${pkg} is not installed for this platform and ${name.toUpperCase()}_PATH is not set`,
      undefined,
      { cause },
    );
  }
  ensureExecutable(name, path, true);
  return path;
}

/** Checks that `path` is an executable file; when `fix` is set, adds the run bit if it is missing. */
export function ensureExecutable(name: string, path: string, fix: boolean): void {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    mode = st.mode;
  } catch (cause) {
    throw new FfmpegNotFoundError(`${name} not found at ${path}`, path, { cause });
  }
  if (isExecutable(path)) return;
  if (!fix) {
    throw new FfmpegNotFoundError(`${name} at ${path} is not executable (mode ${modeString(mode)})`, path);
  }
  try {
    chmodSync(path, mode | 0o111);
  } catch (cause) {
    throw new FfmpegNotFoundError(
      `${name} at ${path} is not executable (mode ${modeString(mode)}) and chmod failed: ` +
        `run \`chmod +x ${path}\` or set ${name.toUpperCase()}_PATH`,
      path,
      { cause },
    );
  }
  if (!isExecutable(path)) {
    throw new FfmpegNotFoundError(`${name} at ${path} is still not executable after chmod`, path);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    // root passes X_OK when any x bit is set; require the owner bit too, like the kernel does for others.
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function modeString(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}
