// @ts-check

/**
 * @typedef {{ start: number, end: number, url: string, x: number, y: number, width: number, height: number }} StoryboardCue
 */

/** `hh:mm:ss.mmm` or `mm:ss.mmm` to seconds. @param {string} text */
function parseTimestamp(text) {
  const parts = text.trim().split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/**
 * The cues of a storyboard WebVTT file: each names an image (a sprite) and the `#xywh=` tile of it.
 * Image references are resolved against the file's own URL.
 * @param {string} text
 * @param {string} baseUrl
 * @returns {StoryboardCue[]}
 */
export function parseStoryboardVtt(text, baseUrl) {
  /** @type {StoryboardCue[]} */
  const cues = [];
  const blocks = text.replaceAll('\r\n', '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const timing = lines.findIndex((line) => line.includes('-->'));
    const target = lines[timing + 1];
    if (timing === -1 || target === undefined) continue;
    const [from, to] = /** @type {[string, string]} */ (lines[timing]?.split('-->') ?? ['', '']);
    const [ref, fragment = ''] = target.trim().split('#');
    const xywh = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(fragment);
    if (ref === undefined || xywh === null) continue;
    cues.push({
      start: parseTimestamp(from),
      end: parseTimestamp(to.trim().split(/\s/)[0] ?? to),
      url: new URL(ref, baseUrl).href,
      x: Number(xywh[1]),
      y: Number(xywh[2]),
      width: Number(xywh[3]),
      height: Number(xywh[4]),
    });
  }
  return cues;
}

/** @param {StoryboardCue[]} cues @param {number} time */
export function cueAt(cues, time) {
  return cues.find((cue) => time >= cue.start && time < cue.end) ?? cues.at(time <= 0 ? 0 : -1);
}
