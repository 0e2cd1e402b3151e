// @ts-check
import { ApiError } from './api.js';
import { byId, el, formatEta, stageLabel, stateLabel } from './format.js';

/** How long the page waits before following a job again after the client gave up reconnecting. */
const RETRY_AFTER_MS = 15_000;

/**
 * One progress bar per job, fed by the job's Server-Sent Events: 0–100 % over the whole job with the
 * stage and an ETA. The bar never moves backwards, whatever the events say.
 *
 * @param {{
 *   api: import('./api.js').PageApi,
 *   onSucceeded: (jobId: string) => void,
 *   onPlayable: (jobId: string) => void,
 *   onStateChange: () => void,
 * }} options
 */
export function createJobProgress({ api, onSucceeded, onPlayable, onStateChange }) {
  const panel = byId('progress-panel');
  const list = byId('job-cards');

  /** @param {string} jobId @param {string} filename */
  function track(jobId, filename) {
    panel.hidden = false;
    const fill = el('div', { class: 'progress-fill' });
    const bar = el(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': '0',
        'aria-label': `Progress of ${filename}`,
      },
      [fill],
    );
    const badge = el('span', { class: 'badge' });
    const stage = el('span', { class: 'job-stage' });
    const percentText = el('span', { class: 'job-percent' }, ['0 %']);
    const eta = el('span', { class: 'job-eta' });
    const card = el('li', { class: 'job-card', 'data-job-id': jobId }, [
      el('div', { class: 'job-card-head' }, [
        el('span', { class: 'job-card-name truncate', title: filename }, [filename]),
        badge,
      ]),
      bar,
      el('div', { class: 'job-card-line' }, [stage, percentText]),
      el('div', { class: 'job-card-line' }, [eta]),
    ]);
    list.prepend(card);

    let shown = 0;
    let lastState = '';
    let playable = false;
    /** The HLS ladder is published while it is encoded: play it while the bar still moves. @param {any} data */
    function notePlayable(data) {
      if (playable || data.state !== 'processing' || data.playableAt === undefined) return;
      playable = true;
      card.dataset.playable = 'true';
      onPlayable(jobId);
    }
    /** @param {string} state @param {{ percent: number, stage?: string, preset?: string, etaSeconds?: number } | undefined} progress */
    function render(state, progress) {
      let percent = 0;
      if (state === 'succeeded') percent = 100;
      else if (state === 'processing' && progress !== undefined) percent = progress.percent;
      shown = Math.min(100, Math.max(shown, percent));
      fill.style.width = `${shown}%`;
      bar.setAttribute('aria-valuenow', String(Math.round(shown)));
      percentText.textContent = `${Math.floor(shown)} %`;
      card.dataset.state = state;
      if (state !== lastState) {
        lastState = state;
        onStateChange();
      }
      badge.className = `badge badge-${state}`;
      badge.textContent = stateLabel(state);
      if (state === 'processing') {
        stage.textContent = stageLabel(progress) || 'Starting';
        eta.textContent = formatEta(progress?.etaSeconds);
      } else if (state === 'succeeded') {
        stage.textContent = 'Done';
        eta.textContent = '';
      } else if (state === 'queued') {
        stage.textContent = 'Waiting for a worker';
        eta.textContent = '';
      } else if (state === 'awaiting_upload') {
        stage.textContent = 'Waiting for the upload';
        eta.textContent = '';
      }
    }
    render('queued', undefined);

    void follow(jobId, render, notePlayable, (failure) => {
      stage.textContent = failure;
      eta.textContent = '';
    }).then((state) => {
      if (state === 'succeeded') onSucceeded(jobId);
      onStateChange();
    });
  }

  /**
   * Follows the job's events to the end and answers the final state. The client reconnects a dropped
   * stream with `Last-Event-ID`; when it gives up (the API is away for a while) the page tries again
   * later from the last event it saw.
   * @param {string} jobId
   * @param {(state: string, progress: any) => void} render
   * @param {(data: any) => void} playable
   * @param {(message: string) => void} fail
   * @returns {Promise<string>}
   */
  async function follow(jobId, render, playable, fail) {
    /** @type {string | undefined} */
    let lastEventId;
    for (;;) {
      try {
        for await (const event of api.jobs.events(jobId, { lastEventId })) {
          lastEventId = event.id ?? lastEventId;
          if (event.event === 'state') {
            render(event.data.state, event.data.progress);
            playable(event.data);
            if (event.data.state === 'failed')
              fail(`Failed: ${event.data.error?.message ?? 'unknown error'}`);
          } else if (event.event === 'progress') {
            render(event.data.state, event.data.progress);
            playable(event.data);
          } else if (event.event === 'end') {
            return event.data.state;
          }
        }
      } catch (error) {
        // An answer that says no (404: deleted, 401: key) does not change by asking again.
        if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
          fail(error.status === 404 ? 'The job was deleted' : `Stopped following: ${error.message}`);
          return error.status === 404 ? 'deleted' : 'unknown';
        }
        fail('Lost the connection to the API, retrying…');
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    }
  }

  return { track };
}
