/** A filter option value. Booleans become `1`/`0`. */
export type FilterValue = string | number | boolean;

/** One filter: a name and its options (named, positional, or none). */
export interface FilterNode {
  /** Filter name, e.g. `scale`, `split`, `tile`. */
  readonly name: string;
  /** Named options (`scale=w=640:h=-2`) or positional ones (`split=3`). */
  readonly args?: Readonly<Record<string, FilterValue>> | readonly FilterValue[] | undefined;
}

/** A chain of filters fed by `inputs` labels, producing `outputs` labels. */
export interface FilterChain {
  /** Input pads: stream specifiers such as `0:v` / `0:a:0` or labels of earlier chains. */
  readonly inputs: readonly string[];
  /** Filters applied in order (joined with `,`). */
  readonly filters: readonly FilterNode[];
  /** Output labels, later used by `-map [label]` or as inputs of other chains. */
  readonly outputs: readonly string[];
}

const LABEL_RE = /^[A-Za-z0-9_:.]+$/;

/**
 * Immutable filter graph for `-filter_complex`. Every method returns a new graph.
 *
 * @example
 * ```ts
 * import { FilterGraph, scale, split } from '@media-server/media-pipeline';
 *
 * const g = FilterGraph.empty()
 *   .chain(['0:v'], [split(2)], ['a', 'b'])
 *   .chain(['a'], [scale({ w: -2, h: 720 })], ['v720'])
 *   .chain(['b'], [scale({ w: -2, h: 360 })], ['v360']);
 * g.toString(); // "[0:v]split=2[a][b];[a]scale=w=-2:h=720[v720];[b]scale=w=-2:h=360[v360]"
 * ```
 */
export class FilterGraph {
  /** The chains, in the order they were added. */
  readonly chains: readonly FilterChain[];

  private constructor(chains: readonly FilterChain[]) {
    this.chains = chains;
  }

  /** A graph with no chains. */
  static empty(): FilterGraph {
    return new FilterGraph([]);
  }

  /**
   * Adds a chain. Labels may only use `[A-Za-z0-9_:.]`; every output label must be new.
   *
   * @throws TypeError for an empty chain, a malformed label or an output label defined twice.
   */
  chain(inputs: readonly string[], filters: readonly FilterNode[], outputs: readonly string[]): FilterGraph {
    if (filters.length === 0) throw new TypeError('a filter chain needs at least one filter');
    for (const label of [...inputs, ...outputs]) {
      if (!LABEL_RE.test(label)) throw new TypeError(`invalid filter label: ${JSON.stringify(label)}`);
    }
    const taken = new Set(this.outputLabels());
    for (const label of outputs) {
      if (taken.has(label)) throw new TypeError(`filter label defined twice: ${label}`);
      taken.add(label);
    }
    return new FilterGraph([
      ...this.chains,
      { inputs: [...inputs], filters: [...filters], outputs: [...outputs] },
    ]);
  }

  /** Every output label of every chain. */
  outputLabels(): string[] {
    return this.chains.flatMap((c) => c.outputs);
  }

  /** Output labels that no chain consumes: the ones outputs must `-map`. */
  unconsumedLabels(): string[] {
    const used = new Set(this.chains.flatMap((c) => c.inputs));
    return this.outputLabels().filter((l) => !used.has(l));
  }

  /** `true` when the graph has no chain. */
  get isEmpty(): boolean {
    return this.chains.length === 0;
  }

  /** The `-filter_complex` string, with option values escaped. */
  toString(): string {
    return this.chains
      .map(
        (c) =>
          c.inputs.map((l) => `[${l}]`).join('') +
          c.filters.map(renderFilter).join(',') +
          c.outputs.map((l) => `[${l}]`).join(''),
      )
      .join(';');
  }
}

/** Renders one filter (`name=opt=value:…`) with both levels of FFmpeg escaping applied. */
export function renderFilter(node: FilterNode): string {
  if (!/^[a-z0-9_]+$/i.test(node.name)) throw new TypeError(`invalid filter name: ${node.name}`);
  const args = node.args;
  if (args === undefined) return node.name;
  const parts = Array.isArray(args)
    ? (args as readonly FilterValue[]).map(escapeValue)
    : Object.entries(args as Record<string, FilterValue>).map(([k, v]) => {
        if (!/^[a-z0-9_]+$/i.test(k)) throw new TypeError(`invalid option name for ${node.name}: ${k}`);
        return `${k}=${escapeValue(v)}`;
      });
  return parts.length ? `${node.name}=${parts.join(':')}` : node.name;
}

function escapeValue(v: FilterValue): string {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  // Level 1: the option-value parser (\ ' :). Level 2: the graph parser (\ ' [ ] , ;).
  const level1 = s.replace(/[\\':]/g, '\\$&');
  return level1.replace(/[\\'[\],;]/g, '\\$&');
}

/** Options of {@link scale}. */
export interface ScaleOptions {
  /** Width; `-2` keeps the aspect ratio with an even result. */
  w: number | string;
  /** Height; `-2` keeps the aspect ratio with an even result. */
  h: number | string;
  /** `decrease` fits inside w×h, `increase` covers it. Default: unset (exact size). */
  forceOriginalAspectRatio?: 'decrease' | 'increase' | undefined;
  /** Scaler flags, e.g. `bicubic`, `lanczos`. Default: FFmpeg's (`bicubic`). */
  flags?: string | undefined;
}

/**
 * `scale` filter.
 *
 * @example
 * ```ts
 * import { ffmpeg, scale } from '@media-server/media-pipeline';
 *
 * ffmpeg()
 *   .input('/tmp/in.mp4')
 *   .output('/tmp/720p.mp4', { videoFilters: [scale({ w: -2, h: 720, flags: 'lanczos' })] });
 * ```
 */
export function scale(o: ScaleOptions): FilterNode {
  const args: Record<string, FilterValue> = { w: o.w, h: o.h };
  if (o.forceOriginalAspectRatio) args.force_original_aspect_ratio = o.forceOriginalAspectRatio;
  if (o.flags) args.flags = o.flags;
  return { name: 'scale', args };
}

/**
 * `fps` filter: converts to a constant frame rate (`'30000/1001'` or `25`).
 *
 * @example
 * ```ts
 * import { ffmpeg, fps } from '@media-server/media-pipeline';
 *
 * ffmpeg().input('/tmp/in.mp4').output('/tmp/25fps.mp4', { videoFilters: [fps(25)] });
 * ```
 */
export function fps(rate: number | string): FilterNode {
  return { name: 'fps', args: { fps: rate } };
}

/**
 * `split` filter (video): one input, `n` copies, each to be labelled and scaled on its own.
 *
 * @example
 * ```ts
 * import { FilterGraph, split } from '@media-server/media-pipeline';
 *
 * FilterGraph.empty().chain(['0:v'], [split(3)], ['a', 'b', 'c']);
 * ```
 */
export function split(n: number): FilterNode {
  return { name: 'split', args: [n] };
}

/**
 * `asplit` filter (audio): one input, `n` copies.
 *
 * @example
 * ```ts
 * import { asplit, FilterGraph } from '@media-server/media-pipeline';
 *
 * FilterGraph.empty().chain(['0:a'], [asplit(2)], ['a1', 'a2']);
 * ```
 */
export function asplit(n: number): FilterNode {
  return { name: 'asplit', args: [n] };
}

/**
 * `tile` filter: lays frames out in a `columns`×`rows` grid (one output frame per full grid).
 *
 * @example
 * ```ts
 * import { fps, scale, tile } from '@media-server/media-pipeline';
 *
 * const contactSheet = [fps(1), scale({ w: 160, h: 90 }), tile(5, 4, { padding: 2 })];
 * ```
 */
export function tile(
  columns: number,
  rows: number,
  o: {
    /** Pixels between tiles. Default 0. */
    padding?: number;
    /** Pixels around the grid. Default 0. */
    margin?: number;
  } = {},
): FilterNode {
  const args: Record<string, FilterValue> = { layout: `${columns}x${rows}` };
  if (o.padding !== undefined) args.padding = o.padding;
  if (o.margin !== undefined) args.margin = o.margin;
  return { name: 'tile', args };
}

/**
 * `overlay` filter: the second input drawn on the first at `x`, `y` (numbers or expressions). Default 0, 0.
 *
 * @example
 * ```ts
 * import { ffmpeg, overlay } from '@media-server/media-pipeline';
 *
 * ffmpeg()
 *   .input('/tmp/in.mp4')
 *   .input('/tmp/logo.png')
 *   .chain(['0:v', '1:v'], [overlay('W-w-10', 10)], ['v'])
 *   .output('/tmp/branded.mp4', { map: ['v', '0:a?'] });
 * ```
 */
export function overlay(x: number | string = 0, y: number | string = 0): FilterNode {
  return { name: 'overlay', args: { x, y } };
}

/**
 * `select` filter: keeps the frames for which `expr` is non-zero. Write the expression as FFmpeg reads it;
 * commas and quotes are escaped for you.
 *
 * @example
 * ```ts
 * import { select } from '@media-server/media-pipeline';
 *
 * const keyframesOnly = select('eq(pict_type,PICT_TYPE_I)');
 * ```
 */
export function select(expr: string): FilterNode {
  return { name: 'select', args: { expr } };
}

/**
 * `thumbnail` filter: picks the most representative frame of each batch of `n`.
 *
 * @example
 * ```ts
 * import { ffmpeg, thumbnail } from '@media-server/media-pipeline';
 *
 * ffmpeg()
 *   .input('/tmp/in.mp4', { seek: 10 })
 *   .output('/tmp/poster.jpg', { videoFilters: [thumbnail(50)], videoFrames: 1, format: 'image2' });
 * ```
 */
export function thumbnail(n: number): FilterNode {
  return { name: 'thumbnail', args: { n } };
}

/**
 * `format` filter: converts to the first of `formats` the next filter accepts.
 *
 * @example
 * ```ts
 * import { pixelFormat, scale } from '@media-server/media-pipeline';
 *
 * const filters = [scale({ w: 640, h: -2 }), pixelFormat('yuv420p')];
 * ```
 */
export function pixelFormat(...formats: string[]): FilterNode {
  return { name: 'format', args: { pix_fmts: formats.join('|') } };
}

/**
 * `aresample` filter: resamples audio to `rate` Hz.
 *
 * @example
 * ```ts
 * import { aresample, ffmpeg } from '@media-server/media-pipeline';
 *
 * ffmpeg().input('/tmp/in.wav').output('/tmp/out.m4a', { audioFilters: [aresample(48_000)] });
 * ```
 */
export function aresample(rate: number): FilterNode {
  return { name: 'aresample', args: [rate] };
}

/**
 * Any other filter, by name, with named or positional options (escaped like every other node).
 *
 * @example
 * ```ts
 * import { filter } from '@media-server/media-pipeline';
 *
 * const deinterlace = filter('yadif', { mode: 'send_frame', parity: 'auto' });
 * const mirror = filter('hflip');
 * ```
 */
export function filter(name: string, args?: Record<string, FilterValue> | FilterValue[]): FilterNode {
  return { name, args };
}
