// @ts-check
import { ApiError, createPageApi, getPageConfig } from './api.js';
import { byId } from './format.js';
import { createJobProgress } from './job-progress.js';
import { createJobsList } from './jobs-list.js';
import { createPlayer } from './player.js';
import { createUploader } from './upload.js';

/** Where the key is kept: this tab only, gone when it closes. */
const KEY_STORAGE = 'media-server.apiKey';

async function main() {
  const config = await getPageConfig();
  const stored = sessionStorage.getItem(KEY_STORAGE);
  const apiKey = stored ?? config.devKey ?? (await askForKey());
  start(apiKey, stored === null && config.devKey === apiKey, config.multipartThresholdBytes);
}

/** Shows the key form until a key the API accepts is entered. @returns {Promise<string>} */
function askForKey() {
  const panel = byId('key-panel');
  const form = /** @type {HTMLFormElement} */ (byId('key-form'));
  const input = /** @type {HTMLInputElement} */ (byId('key-input'));
  const error = byId('key-error');
  panel.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key === '') return;
      try {
        await createPageApi({ apiKey: key }).jobs.list({ limit: 1 });
      } catch (failure) {
        error.textContent =
          failure instanceof ApiError && failure.status === 401
            ? 'The API does not accept this key.'
            : `Could not reach the API: ${/** @type {Error} */ (failure).message}`;
        error.hidden = false;
        return;
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      panel.hidden = true;
      resolve(key);
    });
  });
}

/** @param {string} apiKey @param {boolean} devKey @param {number} multipartThresholdBytes */
function start(apiKey, devKey, multipartThresholdBytes) {
  byId('key-label').textContent = devKey ? 'Local mode · development key' : 'API key set for this tab';
  const change = byId('change-key');
  change.hidden = false;
  change.addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    // In local mode the development key is used again; otherwise the page asks.
    location.reload();
  });
  byId('app').hidden = false;

  const api = createPageApi({ apiKey });
  const player = createPlayer({ api });
  const jobs = createJobsList({
    api,
    onOpen: (jobId) => void openJob(jobId),
    onDeleted: (jobId) => {
      if (player.jobId === jobId) player.close();
    },
  });
  const progress = createJobProgress({
    api,
    // The first job to become playable plays (while it is still processing: its HLS ladder is
    // published as it is encoded); later ones wait for a click in the jobs list.
    onPlayable: (jobId) => {
      if (player.jobId === '') void openJob(jobId);
    },
    onSucceeded: (jobId) => {
      if (player.jobId === '') void openJob(jobId);
      else if (player.jobId === jobId) void player.complete(jobId);
    },
    onStateChange: () => void jobs.refresh(),
  });
  createUploader({
    target: byId('uploader'),
    api,
    multipartThresholdBytes,
    onUploaded: ({ jobId, filename }) => {
      progress.track(jobId, filename);
      void jobs.refresh();
    },
  });
  void jobs.refresh();

  /** @param {string} jobId */
  async function openJob(jobId) {
    try {
      byId('page-error').hidden = true;
      await player.load(jobId);
      byId('player-panel').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    } catch (failure) {
      const error = byId('page-error');
      error.textContent = `Could not open the job: ${/** @type {Error} */ (failure).message}`;
      error.hidden = false;
    }
  }
}

void main();
