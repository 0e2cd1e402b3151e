// @ts-check
/** Small formatting helpers for the page. */

/** @param {number | undefined} bytes */
export function formatBytes(bytes) {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** `m:ss` or `h:mm:ss`. @param {number | undefined} seconds */
export function formatClock(seconds) {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '0:00';
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "about 1 min 20 s left". @param {number | undefined} seconds */
export function formatEta(seconds) {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const whole = Math.max(1, Math.round(seconds));
  if (whole < 60) return `about ${whole} s left`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes < 60) return `about ${minutes} min${rest > 0 ? ` ${rest} s` : ''} left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** @param {string | undefined} iso */
export function formatDate(iso) {
  if (iso === undefined) return '';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** @type {Record<string, string>} */
const STATE_LABELS = {
  awaiting_upload: 'Awaiting upload',
  queued: 'Queued',
  processing: 'Processing',
  succeeded: 'Ready',
  failed: 'Failed',
};

/** @param {string} state */
export function stateLabel(state) {
  return STATE_LABELS[state] ?? state;
}

/** "Transcoding (hls)". @param {{ stage?: string, preset?: string } | undefined} progress */
export function stageLabel(progress) {
  if (progress?.stage === undefined) return '';
  const stage = progress.stage.charAt(0).toUpperCase() + progress.stage.slice(1);
  return progress.preset === undefined ? stage : `${stage} (${progress.preset})`;
}

/** The file name a job shows. @param {{ id: string, source: { filename?: string, key: string } }} job */
export function jobName(job) {
  return job.source.filename ?? job.source.key.split('/').pop() ?? job.id;
}

/**
 * An element with attributes and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attributes]
 * @param {Array<Node | string>} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/**
 * The element with this id; throws when the page lacks it (a broken page should say so).
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return /** @type {T} */ (element);
}
