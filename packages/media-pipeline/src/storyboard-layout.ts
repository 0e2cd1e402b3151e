/** How a storyboard is laid out: how many tiles, how far apart, and on how many sheets. */
export interface StoryboardLayout {
  /** Duration the tiles cover, in seconds. */
  durationSeconds: number;
  /** Seconds between tiles: tile `i` shows a frame from `[i·interval, (i+1)·interval)`. */
  intervalSeconds: number;
  /** Tiles in all: `sheets × tilesPerSheet`, so no slot of any sheet stays empty. */
  tiles: number;
  /** Number of sheets (JPEG images). */
  sheets: number;
  /** `columns × rows`. */
  tilesPerSheet: number;
  /** Tiles per row of a sheet. */
  columns: number;
  /** Rows of a sheet. */
  rows: number;
  /** Tile width in pixels. */
  thumbWidth: number;
  /** Tile height in pixels. */
  thumbHeight: number;
}

/** Options of {@link planStoryboard}; every field has the default `sprite` uses. */
export interface StoryboardLayoutOptions {
  /** Target seconds per tile. Default 2. */
  intervalSeconds?: number | undefined;
  /** Most tiles in all; past it the interval grows. Default 1000. */
  maxTiles?: number | undefined;
  /** Most tiles per sheet. Default 100. */
  maxTilesPerSheet?: number | undefined;
  /** Most columns per sheet. Default 10. */
  columns?: number | undefined;
  /** Tile width in pixels. Default 160. */
  thumbWidth?: number | undefined;
  /** Tile height in pixels. Default 90. */
  thumbHeight?: number | undefined;
}

/**
 * Lays out a storyboard for `durationSeconds`: one tile per `intervalSeconds` (2 s) up to `maxTiles`,
 * split evenly over the fewest sheets of at most `maxTilesPerSheet`, each sheet a full grid. Rounding up
 * to full grids makes the real interval a little shorter than the target, never longer.
 *
 * @throws RangeError when `durationSeconds` is not positive.
 * @example
 * ```ts
 * import { planStoryboard } from '@media-server/media-pipeline';
 *
 * planStoryboard(10); // 5 tiles, 2 s apart, one 5×1 sheet
 * planStoryboard(600); // 300 tiles, 2 s apart, three 10×10 sheets
 * planStoryboard(600, { intervalSeconds: 5, columns: 6 }); // 120 tiles on two 6×10 sheets
 * ```
 */
export function planStoryboard(durationSeconds: number, o: StoryboardLayoutOptions = {}): StoryboardLayout {
  if (!(durationSeconds > 0)) throw new RangeError(`invalid storyboard duration: ${durationSeconds}`);
  const perSheetMax = Math.max(1, Math.floor(o.maxTilesPerSheet ?? 100));
  const maxTiles = Math.max(1, Math.floor(o.maxTiles ?? 1000));
  const columnsMax = Math.max(1, Math.floor(o.columns ?? 10));
  const target = Math.max(o.intervalSeconds ?? 2, durationSeconds / maxTiles);
  const wanted = Math.max(1, Math.ceil(durationSeconds / target - 1e-9));
  const sheets = Math.ceil(wanted / perSheetMax);
  const perSheet = Math.ceil(wanted / sheets);
  const columns = Math.min(columnsMax, perSheet);
  const rows = Math.ceil(perSheet / columns);
  const tiles = sheets * columns * rows;
  return {
    durationSeconds,
    intervalSeconds: durationSeconds / tiles,
    tiles,
    sheets,
    tilesPerSheet: columns * rows,
    columns,
    rows,
    thumbWidth: o.thumbWidth ?? 160,
    thumbHeight: o.thumbHeight ?? 90,
  };
}
