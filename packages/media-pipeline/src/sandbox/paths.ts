import { dirname, isAbsolute } from 'node:path';
import type { FfmpegBuilder, InputSpec } from '../builder.ts';

/**
 * The host paths a run may touch inside the sandbox. Everything else of the host's filesystem is invisible.
 * Paths that do not exist are left out (the binary then fails on them as it would without a sandbox).
 */
export interface SandboxPaths {
  /** Files (or directories) mounted read-only: the inputs. */
  read: readonly string[];
  /** Directories mounted read-write: where the outputs go. */
  write: readonly string[];
}

/** No host path at all (`-version`, lavfi to `pipe:1`). */
export const NO_PATHS: SandboxPaths = { read: [], write: [] };

/** Demuxers that open more files than the one named (segments, list entries) next to it. */
const MULTI_FILE_DEMUXERS = new Set(['hls', 'dash', 'concat']);

/**
 * What a builder's command touches: every file input, read-only, and the directory of every output
 * (segments, playlists and the muxers' temporary files are written next to it), read-write. A playlist
 * input (`.m3u8`, `.mpd`, `.ffconcat`, or an input whose format or profile allows the hls, dash or concat
 * demuxer) gets its whole directory read-only, since its segments are read from there. Uploads never
 * do: the default profile allows none of these demuxers.
 */
export function pathsOfBuilder(builder: FfmpegBuilder): SandboxPaths {
  const read = builder.inputs
    .filter((i) => i.type === 'file')
    .map((i) => (isPlaylist(i) ? dirname(i.source) : i.source));
  const write = builder.outputs
    .map((o) => o.path)
    .filter((p) => p !== 'pipe:1' && p !== '-' && isAbsolute(p))
    .map((p) => dirname(p));
  return { read: [...new Set(read)], write: [...new Set(write)] };
}

function isPlaylist(input: InputSpec): boolean {
  const { format, profile } = input.options;
  return (
    /\.(m3u8|mpd|ffconcat)$/i.test(input.source) ||
    (format !== undefined && MULTI_FILE_DEMUXERS.has(format)) ||
    (profile?.formats.some((f) => MULTI_FILE_DEMUXERS.has(f)) ?? false)
  );
}

/**
 * What a raw argv touches, inferred: the value of every `-i` that is an absolute path (`file:` stripped) is
 * read; every other argument that is an absolute path is taken as an output (`-progress /x`, the output
 * file) and its directory is writable. The argv is the caller's, not the upload's, so a generous reading
 * is safe; pass `sandboxPaths` to the runner to state them exactly.
 */
export function pathsOfArgv(argv: readonly string[]): SandboxPaths {
  const read = new Set<string>();
  const write = new Set<string>();
  argv.forEach((arg, index) => {
    const path = arg.startsWith('file:') ? arg.slice(5) : arg;
    if (!isAbsolute(path)) return;
    if (argv[index - 1] === '-i') read.add(path);
    else write.add(dirname(path));
  });
  return { read: [...read], write: [...write] };
}
