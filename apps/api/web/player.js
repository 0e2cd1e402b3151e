// @ts-check
import Hls from '/vendor/hls.min.mjs';
import { byId, el, formatBytes, formatClock, jobName } from './format.js';
import { cueAt, parseStoryboardVtt } from './storyboard.js';

/** Largest preview the seek bar shows; storyboard tiles are scaled down to it. */
const PREVIEW_WIDTH = 176;

/**
 * The player: HLS through hls.js (the browser's own HLS where MediaSource is missing, e.g. iPhone
 * Safari) from the signed playback URL, the poster, storyboard thumbnails over the seek bar, the MP4
 * link and the probe summary.
 *
 * @param {{ api: import('./api.js').PageApi }} options
 */
export function createPlayer({ api }) {
  const panel = byId('player-panel');
  const video = /** @type {HTMLVideoElement} */ (byId('video'));
  const seek = byId('seek');
  const fill = byId('seek-fill');
  const buffered = byId('seek-buffered');
  const preview = byId('seek-preview');
  const thumb = byId('seek-thumb');
  const previewTime = byId('seek-time');
  const current = byId('time-current');
  const total = byId('time-total');
  const playToggle = byId('play-toggle');
  const muteToggle = byId('mute-toggle');

  /** @type {Hls | undefined} */
  let hls;
  /** @type {import('./storyboard.js').StoryboardCue[]} */
  let cues = [];
  let loadedJobId = '';

  const duration = () => (Number.isFinite(video.duration) ? video.duration : 0);

  function renderTime() {
    const d = duration();
    const ratio = d > 0 ? video.currentTime / d : 0;
    fill.style.width = `${ratio * 100}%`;
    current.textContent = formatClock(video.currentTime);
    total.textContent = formatClock(d);
    seek.setAttribute('aria-valuemax', String(Math.round(d)));
    seek.setAttribute('aria-valuenow', String(Math.round(video.currentTime)));
    const end = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0;
    buffered.style.width = `${d > 0 ? (end / d) * 100 : 0}%`;
  }

  function renderPlaying() {
    const icon = playToggle.firstElementChild;
    if (icon !== null) icon.className = `icon ${video.paused ? 'icon-play' : 'icon-pause'}`;
    playToggle.setAttribute('aria-label', video.paused ? 'Play' : 'Pause');
  }

  for (const name of ['timeupdate', 'durationchange', 'progress', 'loadedmetadata']) {
    video.addEventListener(name, renderTime);
  }
  video.addEventListener('play', renderPlaying);
  video.addEventListener('pause', renderPlaying);
  video.addEventListener('click', () => (video.paused ? void video.play() : video.pause()));
  playToggle.addEventListener('click', () => (video.paused ? void video.play() : video.pause()));
  muteToggle.addEventListener('click', () => {
    video.muted = !video.muted;
    muteToggle.firstElementChild?.classList.toggle('icon-muted', video.muted);
    muteToggle.setAttribute('aria-label', video.muted ? 'Unmute' : 'Mute');
  });
  byId('fullscreen').addEventListener('click', () => {
    const frame = /** @type {HTMLElement} */ (video.closest('.player'));
    if (document.fullscreenElement) void document.exitFullscreen();
    else if (frame.requestFullscreen) void frame.requestFullscreen();
    /** @type {any} */ else video.webkitEnterFullscreen?.();
  });

  /** The time under the pointer. @param {number} clientX */
  function timeAt(clientX) {
    const box = seek.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return { ratio, time: ratio * duration(), box };
  }

  /** @param {PointerEvent} event */
  function showPreview(event) {
    const d = duration();
    if (d <= 0) return;
    const { ratio, time, box } = timeAt(event.clientX);
    previewTime.textContent = formatClock(time);
    const cue = cueAt(cues, time);
    let width = 0;
    if (cue !== undefined) {
      const scale = Math.min(1, PREVIEW_WIDTH / cue.width);
      width = cue.width * scale;
      thumb.hidden = false;
      thumb.style.width = `${width}px`;
      thumb.style.height = `${cue.height * scale}px`;
      thumb.style.backgroundImage = `url("${cue.url}")`;
      thumb.style.backgroundPosition = `-${cue.x * scale}px -${cue.y * scale}px`;
      thumb.style.backgroundSize = scale === 1 ? 'auto' : `auto ${spriteHeight(cue) * scale}px`;
    } else {
      thumb.hidden = true;
    }
    // Keep the preview inside the player.
    const half = Math.max(width, 48) / 2;
    const x = Math.min(box.width - half, Math.max(half, ratio * box.width));
    preview.style.left = `${x}px`;
    preview.hidden = false;
  }

  /** Height of the whole sprite a cue points into (the tallest tile bottom of that image). @param {{ url: string }} cue */
  function spriteHeight(cue) {
    return cues.filter((c) => c.url === cue.url).reduce((most, c) => Math.max(most, c.y + c.height), 0);
  }

  seek.addEventListener('pointermove', showPreview);
  seek.addEventListener('pointerenter', showPreview);
  seek.addEventListener('pointerleave', () => {
    preview.hidden = true;
  });
  seek.addEventListener('pointerdown', (event) => {
    video.currentTime = timeAt(event.clientX).time;
    renderTime();
  });
  seek.addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowRight' ? 5 : event.key === 'ArrowLeft' ? -5 : 0;
    if (step === 0) return;
    event.preventDefault();
    video.currentTime = Math.min(duration(), Math.max(0, video.currentTime + step));
  });

  function unload() {
    hls?.destroy();
    hls = undefined;
    video.removeAttribute('src');
    video.load();
    cues = [];
    preview.hidden = true;
  }

  /**
   * Loads a job into the player: a succeeded one, or a processing one whose HLS ladder is playable
   * (`playback.live`: the playlists grow and end when the job succeeds; {@link complete} then adds the rest).
   * @param {string} jobId
   */
  async function load(jobId) {
    const [playback, job] = await Promise.all([api.playback(jobId), api.jobs.get(jobId)]);
    unload();
    loadedJobId = jobId;
    panel.hidden = false;
    video.poster = '';
    byId('player-name').textContent = jobName(job);
    video.dataset.live = String(playback.live === true);
    const engine = byId('engine');
    if (playback.hls == null) {
      video.src = playback.mp4 ?? '';
      video.dataset.engine = 'mp4';
      engine.textContent = 'MP4';
    } else if (Hls.isSupported()) {
      // A live (EVENT) ladder starts at its beginning, not at its live edge.
      hls = new Hls({ workerPath: '/vendor/hls.worker.js', startPosition: 0 });
      hls.loadSource(playback.hls);
      hls.attachMedia(video);
      video.dataset.engine = 'hls.js';
      engine.textContent = `HLS via hls.js ${Hls.version}`;
    } else if (video.canPlayType('application/vnd.apple.mpegurl') !== '') {
      video.src = playback.hls;
      video.dataset.engine = 'native';
      engine.textContent = 'HLS via the browser';
    } else {
      video.src = playback.mp4 ?? '';
      video.dataset.engine = 'mp4';
      engine.textContent = 'MP4 (no HLS support)';
    }
    video.dataset.jobId = jobId;
    renderTime();
    renderPlaying();
    await showExtras(jobId, playback, job);
  }

  /**
   * The job in the player (loaded live) succeeded: the same HLS URLs now end (VOD); the poster, MP4
   * link and storyboard arrive without interrupting playback.
   * @param {string} jobId
   */
  async function complete(jobId) {
    if (loadedJobId !== jobId || video.dataset.live !== 'true') return;
    const [playback, job] = await Promise.all([api.playback(jobId), api.jobs.get(jobId)]);
    if (loadedJobId !== jobId) return;
    video.dataset.live = 'false';
    await showExtras(jobId, playback, job);
  }

  /**
   * Poster, MP4 link, probe summary and storyboard of a job.
   * @param {string} jobId @param {Record<string, any>} playback @param {Record<string, any>} job
   */
  async function showExtras(jobId, playback, job) {
    if (playback.poster != null) video.poster = playback.poster;
    const mp4 = byId('mp4-link');
    mp4.replaceChildren();
    if (playback.mp4 != null) {
      mp4.append(
        el('a', { class: 'button button-secondary', href: playback.mp4, target: '_blank', rel: 'noopener' }, [
          'Download MP4',
        ]),
      );
    }
    renderProbe(job.probe);

    if (playback.storyboard != null) {
      try {
        const response = await fetch(playback.storyboard.vtt);
        if (response.ok && loadedJobId === jobId) {
          cues = parseStoryboardVtt(await response.text(), response.url);
          for (const image of new Set(cues.map((cue) => cue.url))) new Image().src = image;
        }
      } catch {
        cues = []; // The player works without thumbnails.
      }
    }
  }

  /** @param {Record<string, any> | undefined} probe */
  function renderProbe(probe) {
    const list = byId('probe');
    list.replaceChildren();
    if (probe === undefined) return;
    /** @type {Array<[string, string]>} */
    const rows = [
      ['Duration', formatClock(probe.durationSeconds)],
      ['Container', containerName(probe.format)],
      ['Size', formatBytes(probe.sizeBytes)],
      ['Bit rate', probe.bitRate ? `${Math.round(probe.bitRate / 1000)} kb/s` : '–'],
    ];
    if (probe.video !== undefined) {
      rows.push(['Video', `${probe.video.codec} · ${probe.video.width}×${probe.video.height}`]);
      rows.push(['Frame rate', probe.video.fps ? `${Math.round(probe.video.fps * 100) / 100} fps` : '–']);
    }
    if (probe.audio !== undefined) {
      const channels =
        probe.audio.channels === 1
          ? 'mono'
          : probe.audio.channels === 2
            ? 'stereo'
            : `${probe.audio.channels} ch`;
      rows.push(['Audio', `${probe.audio.codec} · ${channels} · ${probe.audio.sampleRate / 1000}\u00a0kHz`]);
    }
    for (const [term, value] of rows)
      list.append(el('div', {}, [el('dt', {}, [term]), el('dd', {}, [value])]));
  }

  return {
    load,
    complete,
    /** The job in the player, if any. */
    get jobId() {
      return loadedJobId;
    },
    /** Empties the player (its job was deleted). */
    close() {
      unload();
      loadedJobId = '';
      panel.hidden = true;
    },
  };
}

/** ffprobe names a family of formats ("mov,mp4,m4a,3gp,3g2,mj2"): show the one people know. @param {unknown} format */
function containerName(format) {
  const names = String(format ?? '').split(',');
  for (const known of ['mp4', 'webm', 'matroska', 'mpegts', 'avi'])
    if (names.includes(known)) return known.toUpperCase();
  return names[0] || '–';
}
