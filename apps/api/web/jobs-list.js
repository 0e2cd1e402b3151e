// @ts-check
import { byId, el, formatClock, formatDate, jobName, stateLabel } from './format.js';

const PAGE_SIZE = 8;

/**
 * The jobs list, a page at a time (the API pages with a cursor, oldest first): thumbnail, name, state,
 * duration; open a job in the player, delete it after a confirmation.
 *
 * @param {{
 *   api: import('./api.js').PageApi,
 *   onOpen: (jobId: string) => void,
 *   onDeleted: (jobId: string) => void,
 * }} options
 */
export function createJobsList({ api, onOpen, onDeleted }) {
  const list = byId('jobs');
  const empty = byId('jobs-empty');
  const error = byId('jobs-error');
  const prev = /** @type {HTMLButtonElement} */ (byId('jobs-prev'));
  const next = /** @type {HTMLButtonElement} */ (byId('jobs-next'));
  const pageLabel = byId('jobs-page');
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-delete'));

  /** Cursors of the pages seen so far: `cursors[i]` opens page i (undefined: the first). */
  /** @type {Array<string | undefined>} */
  let cursors = [undefined];
  let page = 0;
  /** @type {string | undefined} */
  let nextCursor;

  let latest = 0;

  async function refresh() {
    const call = ++latest;
    try {
      const result = await api.jobs.list({ limit: PAGE_SIZE, cursor: cursors[page] });
      if (call !== latest) return; // A newer refresh is on its way.
      nextCursor = result.nextCursor;
      error.hidden = true;
      render(result.items);
    } catch (failure) {
      error.textContent = `Could not load the jobs: ${/** @type {Error} */ (failure).message}`;
      error.hidden = false;
    }
  }

  /** @param {any[]} jobs */
  function render(jobs) {
    list.replaceChildren(...jobs.map(row));
    empty.hidden = jobs.length > 0;
    prev.disabled = page === 0;
    next.disabled = nextCursor === undefined;
    pageLabel.textContent = `Page ${page + 1}`;
  }

  /** @param {any} job */
  function row(job) {
    const poster = job.outputs.find((/** @type {{ kind: string }} */ output) => output.kind === 'poster');
    const thumb = poster
      ? el('img', { class: 'job-thumb', src: poster.url, alt: '', loading: 'lazy' })
      : el('div', { class: 'job-thumb', 'aria-hidden': 'true' });
    const name = jobName(job);
    const title = el('button', { class: 'job-title truncate', type: 'button', title: name }, [name]);
    title.disabled = job.state !== 'succeeded';
    title.addEventListener('click', () => onOpen(job.id));
    const duration = job.probe?.durationSeconds;
    const remove = el('button', { class: 'delete-button', type: 'button', 'aria-label': `Delete ${name}` }, [
      'Delete',
    ]);
    remove.addEventListener('click', () => confirmDelete(job.id, name));
    return el('li', { class: 'job-row', 'data-job-id': job.id, 'data-state': job.state }, [
      thumb,
      el('div', { class: 'job-info' }, [
        title,
        el('div', { class: 'job-sub' }, [
          el('span', { class: `badge badge-${job.state}` }, [stateLabel(job.state)]),
          el('span', {}, [duration === undefined ? '' : formatClock(duration)]),
          el('span', { class: 'truncate' }, [formatDate(job.createdAt)]),
        ]),
      ]),
      el('div', { class: 'job-actions' }, [remove]),
    ]);
  }

  /** @param {string} jobId @param {string} name */
  function confirmDelete(jobId, name) {
    byId('confirm-name').textContent = name;
    const yes = byId('confirm-yes');
    const no = byId('confirm-no');
    const close = () => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      dialog.close();
    };
    const onNo = () => close();
    const onYes = async () => {
      close();
      try {
        await api.jobs.delete(jobId);
        onDeleted(jobId);
      } catch (failure) {
        error.textContent = `Could not delete: ${/** @type {Error} */ (failure).message}`;
        error.hidden = false;
      }
      await refresh();
    };
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    dialog.showModal();
  }

  prev.addEventListener('click', () => {
    if (page === 0) return;
    page -= 1;
    void refresh();
  });
  next.addEventListener('click', () => {
    if (nextCursor === undefined) return;
    cursors = [...cursors.slice(0, page + 1), nextCursor];
    page += 1;
    void refresh();
  });
  byId('jobs-refresh').addEventListener('click', () => void refresh());

  return { refresh };
}
