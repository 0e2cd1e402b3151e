import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FfmpegNotFoundError } from './errors.ts';
import { findExecutable } from './sandbox/find-executable.ts';

/**
 * Where a binary came from: `custom` (`FFMPEG_PATH` / `FFPROBE_PATH`), `system` (a maintained release found
 * on `PATH` or in `/usr/bin`, such as Debian's package) or `bundled` (`@ffmpeg-installer`'s 2018 static
 * ffmpeg, `@ffprobe-installer`'s ffprobe).
 */
export type FfmpegBuildKind = 'custom' | 'system' | 'bundled';

/** One resolved binary. */
export interface BinaryBuild {
  /** Absolute path of the binary. */
  path: string;
  /** Where it came from. */
  build: FfmpegBuildKind;
  /** Version token of `-version` (`5.1.9-0+deb12u1`, `N-47683-g0e8eb07980-static`), when it ran. */
  version: string | undefined;
}

/** Paths of the two binaries the package runs. */
export interface FfmpegBinaries {
  /** Absolute path of `ffmpeg`. */
  ffmpeg: string;
  /** Absolute path of `ffprobe`. */
  ffprobe: string;
  /** Where `ffmpeg` came from, and its version. */
  ffmpegBuild: BinaryBuild;
  /** Where `ffprobe` came from, and its version. */
  ffprobeBuild: BinaryBuild;
}

/** Oldest system release preferred over the bundled build: FFmpeg's oldest maintained line, Debian 12's. */
export const MIN_SYSTEM_RELEASE: readonly [number, number] = [5, 1];

const require = createRequire(import.meta.url);
let cached: FfmpegBinaries | undefined;

/**
 * Resolves `ffmpeg` and `ffprobe`, each in this order: `FFMPEG_PATH` / `FFPROBE_PATH` when set; a system
 * binary of a supported release (≥ {@link MIN_SYSTEM_RELEASE}) on `PATH` or in `/usr/bin`; the binaries of
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`. A bundled binary whose run bit is missing
 * (npm 11 does not run the installers' scripts) is made executable; when that fails a
 * {@link FfmpegNotFoundError} explains why. Cached after the first call (for `process.env`).
 *
 * @param env - Where `FFMPEG_PATH`, `FFPROBE_PATH` and `PATH` are read. Default `process.env`.
 * @throws FfmpegNotFoundError when a binary cannot be found or executed.
 * @example
 * ```ts
 * import { resolveBinaries } from '@media-server/media-pipeline';
 *
 * const { ffmpeg, ffmpegBuild } = resolveBinaries();
 * console.log(`${ffmpeg}: ${ffmpegBuild.build} ${ffmpegBuild.version ?? '(version unknown)'}`);
 * ```
 */
export function resolveBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  if (cached && env === process.env) return cached;
  const ffmpegBuild = resolveOne('ffmpeg', env.FFMPEG_PATH, '@ffmpeg-installer/ffmpeg', env);
  const ffprobeBuild = resolveOne('ffprobe', env.FFPROBE_PATH, '@ffprobe-installer/ffprobe', env);
  const result = { ffmpeg: ffmpegBuild.path, ffprobe: ffprobeBuild.path, ffmpegBuild, ffprobeBuild };
  if (env === process.env) cached = result;
  return result;
}

/** Forgets the cached result of {@link resolveBinaries} (for tests that change the environment). */
export function resetBinariesCache(): void {
  cached = undefined;
}

function resolveOne(
  name: string,
  override: string | undefined,
  pkg: string,
  env: NodeJS.ProcessEnv,
): BinaryBuild {
  if (override) {
    ensureExecutable(name, override, false);
    return {
      path: override,
      build: isBundled(override, pkg) ? 'bundled' : 'custom',
      version: versionOf(override),
    };
  }
  const system = findExecutable(name, env);
  if (system && !isBundled(system, pkg)) {
    const version = versionOf(system);
    if (isSupportedRelease(version)) return { path: system, build: 'system', version };
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
  return { path, build: 'bundled', version: versionOf(path) };
}

/** Whether a `-version` token is a release at least {@link MIN_SYSTEM_RELEASE} (`5.1.9-0+deb12u1`, `7.1`). */
export function isSupportedRelease(version: string | undefined): boolean {
  const m = /^n?(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [minMajor, minMinor] = MIN_SYSTEM_RELEASE;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

function versionOf(path: string): string | undefined {
  try {
    const out = execFileSync(path, ['-hide_banner', '-version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    return /version (\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function isBundled(path: string, pkg: string): boolean {
  try {
    return (require(pkg) as { path: string }).path === path;
  } catch {
    return false;
  }
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
