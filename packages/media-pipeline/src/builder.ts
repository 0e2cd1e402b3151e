import { resolve } from 'node:path';
import { FilterGraph, type FilterNode } from './filter-graph.ts';
import { type InputProfile, inputProfileArgs } from './input-profile.ts';

/** A scalar option value. Booleans are emitted as `1` / `0`. */
export type OptionValue = string | number | boolean;

/** Options of a file or lavfi input. Every field is optional; nothing is emitted for unset ones. */
export interface InputOptions {
  /** `-ss` before `-i`: fast seek to this many seconds. */
  seek?: number | undefined;
  /** `-t` before `-i`: read at most this many seconds. */
  duration?: number | undefined;
  /** `-f`: force the demuxer (file inputs) — normally left to probing plus the profile's whitelist. */
  format?: string | undefined;
  /** `-skip_frame`: e.g. `nokey` decodes keyframes only. */
  skipFrame?: 'nokey' | 'nointra' | 'bidir' | 'noref' | 'default' | undefined;
  /** `-re`: read at the native frame rate (live simulation, tests). */
  realtime?: boolean | undefined;
  /** Security limits for an untrusted file. Overrides the builder-wide profile for this input. */
  profile?: InputProfile | undefined;
  /** Extra per-input options, emitted as `-key value` before the profile's. */
  options?: Readonly<Record<string, OptionValue>> | undefined;
}

/** One input of the command, as {@link FfmpegBuilder.inputs} lists it. */
export interface InputSpec {
  /** `'file'` (an upload or any local file) or `'lavfi'` (a generated source). */
  readonly type: 'file' | 'lavfi';
  /** Absolute file path, or the lavfi graph. */
  readonly source: string;
  /** The options it was added with. */
  readonly options: InputOptions;
}

/** Options of one output. Unset fields emit nothing. */
export interface OutputOptions {
  /**
   * Streams for this output: filter-graph labels (`'v720'`, written without brackets) or stream specifiers
   * (`'0:a:0?'`). Labels are emitted as `-map [label]`. Default: FFmpeg's automatic selection.
   */
  map?: readonly string[] | undefined;
  /** `-f` muxer name. Default: guessed from the file extension. */
  format?: string | undefined;
  /** `-c:v`; `'copy'` copies. */
  videoCodec?: string | undefined;
  /** `-c:a`; `'copy'` copies. */
  audioCodec?: string | undefined;
  /** `-crf`. */
  crf?: number | undefined;
  /** `-preset` (x264/x265). */
  preset?: string | undefined;
  /** `-profile:v`. */
  profile?: string | undefined;
  /** `-b:v`, e.g. `'2500k'`. */
  videoBitrate?: string | number | undefined;
  /** `-maxrate`. */
  maxRate?: string | number | undefined;
  /** `-bufsize`. */
  bufSize?: string | number | undefined;
  /** `-b:a`. */
  audioBitrate?: string | number | undefined;
  /** `-ac`. */
  audioChannels?: number | undefined;
  /** `-ar`. */
  audioSampleRate?: number | undefined;
  /** `-pix_fmt`. */
  pixelFormat?: string | undefined;
  /** `-r` output frame rate. */
  frameRate?: number | string | undefined;
  /** `-frames:v`. */
  videoFrames?: number | undefined;
  /** `-vf` simple filter chain (only when the command has no filter graph feeding this output). */
  videoFilters?: readonly FilterNode[] | undefined;
  /** `-af` simple audio filter chain. */
  audioFilters?: readonly FilterNode[] | undefined;
  /** `-vn`. */
  noVideo?: boolean | undefined;
  /** `-an`. */
  noAudio?: boolean | undefined;
  /** `-sn -dn`: drop subtitles and data streams. Default: unset. */
  noSubtitles?: boolean | undefined;
  /** `-t` on the output: stop writing after this many seconds. */
  duration?: number | undefined;
  /** `-fs`: stop writing after this many bytes. */
  maxFileSize?: number | undefined;
  /** `-movflags`, e.g. `['+faststart']`. */
  movflags?: readonly string[] | undefined;
  /** Any other output options, emitted as `-key value` in insertion order, before the path. */
  options?: Readonly<Record<string, OptionValue>> | undefined;
}

/** One output of the command, as {@link FfmpegBuilder.outputs} lists it. */
export interface OutputSpec {
  /** Absolute path (a `%d` pattern for image sequences is allowed), or `pipe:1` / `-` (e.g. with `format: 'null'`). */
  readonly path: string;
  /** The options it was added with. */
  readonly options: OutputOptions;
}

/** Files to delete when a run fails: exact paths, or every entry of `dir` whose name starts with `prefix`. */
export type CleanupTarget = { readonly path: string } | { readonly dir: string; readonly prefix: string };

/** Global options of a command. */
export interface GlobalOptions {
  /** `-loglevel`. Default `'warning'` (enough for a useful stderr tail, without per-frame noise). */
  logLevel?: 'quiet' | 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | undefined;
  /** `-y` (true) or `-n` (false). Default `true`. */
  overwrite?: boolean | undefined;
  /** `-threads` (global decoder/encoder hint). Default: unset (FFmpeg picks). */
  threads?: number | undefined;
  /** `-filter_complex_threads`. Default: unset. */
  filterThreads?: number | undefined;
  /**
   * `-xerror`: stop at the first error, so a decode error or a truncated input fails the run instead of
   * producing a shorter or damaged output. Default `true`.
   */
  exitOnError?: boolean | undefined;
}

interface BuilderState {
  readonly globals: GlobalOptions;
  readonly profile: InputProfile | undefined;
  readonly inputs: readonly InputSpec[];
  readonly graph: FilterGraph;
  readonly outputs: readonly OutputSpec[];
  readonly cleanup: readonly CleanupTarget[];
  readonly expectedDurationSeconds: number | undefined;
}

/**
 * Immutable FFmpeg command builder. Every method returns a new builder; `toArgs()` yields the argv
 * (never a shell string). File inputs are made absolute and prefixed with `file:` so that a name such as
 * `-x.mp4` or `http:evil` is never read as an option or a URL.
 *
 * @example
 * ```ts
 * import { createInputProfile, FfmpegBuilder, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const cmd = FfmpegBuilder.create()
 *   .input('/tmp/in.mp4', { profile: createInputProfile() })
 *   .output('/tmp/out.mp4', { videoCodec: 'libx264', crf: 23, audioCodec: 'aac' });
 * await runFfmpeg(cmd);
 * ```
 */
export class FfmpegBuilder {
  readonly #s: BuilderState;

  private constructor(state: BuilderState) {
    this.#s = state;
  }

  /** A builder with no inputs or outputs, with these global options. */
  static create(globals: GlobalOptions = {}): FfmpegBuilder {
    return new FfmpegBuilder({
      globals,
      profile: undefined,
      inputs: [],
      graph: FilterGraph.empty(),
      outputs: [],
      cleanup: [],
      expectedDurationSeconds: undefined,
    });
  }

  #with(patch: Partial<BuilderState>): FfmpegBuilder {
    return new FfmpegBuilder({ ...this.#s, ...patch });
  }

  /** Replaces the global options (merged with the current ones). */
  globals(options: GlobalOptions): FfmpegBuilder {
    return this.#with({ globals: { ...this.#s.globals, ...options } });
  }

  /** Applies this input profile to every file input that has none of its own (also the ones added later). */
  withProfile(profile: InputProfile): FfmpegBuilder {
    return this.#with({ profile });
  }

  /**
   * Adds a file input. Its index (for `-map` and stream specifiers) is the number of inputs before it.
   *
   * @throws TypeError when `path` is empty.
   */
  input(path: string, options: InputOptions = {}): FfmpegBuilder {
    if (!path) throw new TypeError('input path is empty');
    // A URL-looking string (`http://x`) is resolved as a relative file name, never opened as a URL.
    const abs = path.startsWith('file:') ? resolve(path.slice(5)) : resolve(path);
    return this.#with({ inputs: [...this.#s.inputs, { type: 'file', source: abs, options }] });
  }

  /** Adds a lavfi (generated) input, e.g. `testsrc2=size=320x240:rate=25:duration=2`. */
  lavfiInput(graph: string, options: Omit<InputOptions, 'format' | 'profile'> = {}): FfmpegBuilder {
    return this.#with({ inputs: [...this.#s.inputs, { type: 'lavfi', source: graph, options }] });
  }

  /** Sets the `-filter_complex` graph (replacing any previous one). */
  filterGraph(graph: FilterGraph): FfmpegBuilder {
    return this.#with({ graph });
  }

  /** Adds a chain to the filter graph (see {@link FilterGraph.chain}). */
  chain(
    inputs: readonly string[],
    filters: readonly FilterNode[],
    outputs: readonly string[],
  ): FfmpegBuilder {
    return this.#with({ graph: this.#s.graph.chain(inputs, filters, outputs) });
  }

  /**
   * Adds an output. The path is made absolute; it is also registered for removal if the run fails.
   *
   * @throws TypeError when `path` is empty or a `map` entry is malformed or names an unknown filter label.
   */
  output(path: string, options: OutputOptions = {}): FfmpegBuilder {
    if (!path) throw new TypeError('output path is empty');
    const labels = new Set(this.#s.graph.outputLabels());
    for (const m of options.map ?? []) {
      if (!/^[A-Za-z0-9_:.?-]+$/.test(m)) throw new TypeError(`invalid map entry: ${JSON.stringify(m)}`);
      if (!/^\d/.test(m) && !labels.has(m)) throw new TypeError(`map refers to unknown filter label: ${m}`);
    }
    const literal = path === 'pipe:1' || path === '-';
    const abs = literal ? path : resolve(path);
    const cleanup = literal || abs.includes('%') ? this.#s.cleanup : [...this.#s.cleanup, { path: abs }];
    return this.#with({ outputs: [...this.#s.outputs, { path: abs, options }], cleanup });
  }

  /** Registers extra files to delete when a run fails (segments, patterns the builder cannot predict). */
  cleanupOnFailure(target: CleanupTarget): FfmpegBuilder {
    const t =
      'path' in target ? { path: resolve(target.path) } : { dir: resolve(target.dir), prefix: target.prefix };
    return this.#with({ cleanup: [...this.#s.cleanup, t] });
  }

  /** Records the expected media duration so the runner can compute percent and ETA. */
  expectDuration(seconds: number | undefined): FfmpegBuilder {
    return this.#with({ expectedDurationSeconds: seconds });
  }

  /** Inputs, in order. */
  get inputs(): readonly InputSpec[] {
    return this.#s.inputs;
  }

  /** Outputs, in order. */
  get outputs(): readonly OutputSpec[] {
    return this.#s.outputs;
  }

  /** The filter graph. */
  get graph(): FilterGraph {
    return this.#s.graph;
  }

  /** What the runner deletes if the run fails. */
  get cleanupTargets(): readonly CleanupTarget[] {
    return this.#s.cleanup;
  }

  /** Duration set by {@link FfmpegBuilder.expectDuration} or, failing that, the smallest `-t` of the inputs. */
  get expectedDurationSeconds(): number | undefined {
    if (this.#s.expectedDurationSeconds !== undefined) return this.#s.expectedDurationSeconds;
    const ts = this.#s.inputs.map((i) => i.options.duration).filter((d): d is number => d !== undefined);
    return ts.length ? Math.min(...ts) : undefined;
  }

  /**
   * The argv for ffmpeg (without the binary): globals, then each input with its options before `-i`,
   * then `-filter_complex`, then each output's options before its path. The runner adds `-progress`.
   *
   * @throws TypeError when there is no output or an option name is malformed; RangeError for a negative
   *   or non-finite time.
   */
  toArgs(): string[] {
    const s = this.#s;
    if (s.outputs.length === 0) throw new TypeError('command has no output');
    const g = s.globals;
    const args: string[] = [
      '-hide_banner',
      '-loglevel',
      g.logLevel ?? 'warning',
      g.overwrite === false ? '-n' : '-y',
    ];
    if (g.exitOnError ?? true) args.push('-xerror');
    const profiles = s.inputs.map((i) => (i.type === 'file' ? (i.options.profile ?? s.profile) : undefined));
    const maxAlloc = Math.min(...profiles.map((p) => p?.maxAllocBytes ?? Number.POSITIVE_INFINITY));
    if (Number.isFinite(maxAlloc)) args.push('-max_alloc', String(maxAlloc));
    if (g.threads !== undefined) args.push('-threads', String(g.threads));
    if (g.filterThreads !== undefined) args.push('-filter_complex_threads', String(g.filterThreads));

    s.inputs.forEach((input, idx) => {
      const o = input.options;
      pushRecord(args, o.options);
      const profile = profiles[idx];
      if (profile) args.push(...inputProfileArgs(profile, input.source));
      if (o.realtime) args.push('-re');
      if (o.skipFrame) args.push('-skip_frame', o.skipFrame);
      if (o.seek !== undefined) args.push('-ss', num(o.seek));
      // One -t per input: the smaller of the caller's duration and the profile's cap.
      const limits = [o.duration, profile?.maxDurationSeconds].filter((d): d is number => d !== undefined);
      if (limits.length) args.push('-t', num(Math.min(...limits)));
      if (input.type === 'lavfi') args.push('-f', 'lavfi', '-i', input.source);
      else {
        if (o.format) args.push('-f', o.format);
        args.push('-i', `file:${input.source}`);
      }
    });

    if (!s.graph.isEmpty) args.push('-filter_complex', s.graph.toString());

    for (const out of s.outputs) {
      const o = out.options;
      for (const m of o.map ?? []) args.push('-map', /^\d/.test(m) ? m : `[${m}]`);
      if (o.noVideo) args.push('-vn');
      if (o.noAudio) args.push('-an');
      if (o.noSubtitles) args.push('-sn', '-dn');
      if (o.videoFilters?.length)
        args.push('-vf', FilterGraph.empty().chain([], o.videoFilters, []).toString());
      if (o.audioFilters?.length)
        args.push('-af', FilterGraph.empty().chain([], o.audioFilters, []).toString());
      if (o.videoCodec) args.push('-c:v', o.videoCodec);
      if (o.preset) args.push('-preset', o.preset);
      if (o.profile) args.push('-profile:v', o.profile);
      if (o.crf !== undefined) args.push('-crf', num(o.crf));
      if (o.videoBitrate !== undefined) args.push('-b:v', String(o.videoBitrate));
      if (o.maxRate !== undefined) args.push('-maxrate', String(o.maxRate));
      if (o.bufSize !== undefined) args.push('-bufsize', String(o.bufSize));
      if (o.pixelFormat) args.push('-pix_fmt', o.pixelFormat);
      if (o.frameRate !== undefined) args.push('-r', String(o.frameRate));
      if (o.videoFrames !== undefined) args.push('-frames:v', String(o.videoFrames));
      if (o.audioCodec) args.push('-c:a', o.audioCodec);
      if (o.audioBitrate !== undefined) args.push('-b:a', String(o.audioBitrate));
      if (o.audioChannels !== undefined) args.push('-ac', String(o.audioChannels));
      if (o.audioSampleRate !== undefined) args.push('-ar', String(o.audioSampleRate));
      if (o.duration !== undefined) args.push('-t', num(o.duration));
      if (o.maxFileSize !== undefined) args.push('-fs', String(o.maxFileSize));
      if (o.movflags?.length) args.push('-movflags', o.movflags.join(''));
      if (o.format) args.push('-f', o.format);
      pushRecord(args, o.options);
      args.push(out.path);
    }
    return args;
  }
}

/**
 * Starts a command: shorthand for {@link FfmpegBuilder.create}.
 *
 * @example
 * ```ts
 * import { ffmpeg } from '@media-server/media-pipeline';
 *
 * const argv = ffmpeg({ logLevel: 'error' })
 *   .input('/tmp/in.mov', { seek: 5, duration: 10 })
 *   .output('/tmp/clip.mp4', { videoCodec: 'libx264', preset: 'veryfast', audioCodec: 'aac' })
 *   .toArgs(); // ['-hide_banner', '-loglevel', 'error', '-y', '-xerror', '-ss', '5', ...]
 * ```
 */
export function ffmpeg(globals: GlobalOptions = {}): FfmpegBuilder {
  return FfmpegBuilder.create(globals);
}

function pushRecord(args: string[], rec: Readonly<Record<string, OptionValue>> | undefined): void {
  if (!rec) return;
  for (const [k, v] of Object.entries(rec)) {
    if (!/^[a-z0-9_:.][a-z0-9_:.-]*$/i.test(k)) throw new TypeError(`invalid option name: ${k}`);
    args.push(`-${k}`, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
}

function num(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`invalid time value: ${n}`);
  return String(Math.round(n * 1e6) / 1e6);
}
