import type { JobEvent } from './contract/jobs.ts';
import { ApiError, MediaServerError } from './errors.ts';
import { type HttpSettings, send } from './http.ts';
import { sleep } from './sleep.ts';
import { parseEventStream } from './sse.ts';

/** Options of `client.jobs.events` (and `client.jobs.wait`). */
export interface JobEventsOptions {
  /** Ends the stream: the generator throws the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string | undefined;
  /** Reconnects in a row without an event before giving up. Default 5. */
  maxReconnects?: number | undefined;
}

/**
 * The job's events over SSE until `end` (a terminal state) or until `signal` aborts. A dropped
 * connection reconnects with `Last-Event-ID`, after the server's `retry:` delay (default 1 s).
 */
export async function* jobEvents(
  settings: HttpSettings,
  jobId: string,
  options: JobEventsOptions = {},
): AsyncGenerator<JobEvent> {
  let lastEventId = options.lastEventId;
  let retryMs = 1000;
  let failures = 0;
  const maxReconnects = options.maxReconnects ?? 5;
  for (;;) {
    try {
      const response = await send(settings, 'GET', `/v1/jobs/${encodeURIComponent(jobId)}/events`, {
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        signal: options.signal,
      });
      if (response.body === null) throw new ApiError(response.status, undefined);
      for await (const raw of parseEventStream(response.body)) {
        failures = 0;
        if (raw.id !== undefined) lastEventId = raw.id;
        if (raw.retry !== undefined) retryMs = raw.retry;
        const event = { event: raw.event, id: raw.id, data: JSON.parse(raw.data) } as JobEvent;
        yield event;
        if (event.event === 'end') return;
      }
    } catch (error) {
      options.signal?.throwIfAborted();
      // An answer that says no (404 deleted, 401 key) will not change by reconnecting.
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) throw error;
      failures += 1;
      if (failures > maxReconnects) {
        throw new MediaServerError(
          `the event stream of job ${jobId} failed ${failures} times in a row`,
          { code: 'EVENT_STREAM_FAILED', status: error instanceof MediaServerError ? error.status : 0 },
          { cause: error },
        );
      }
    }
    await sleep(retryMs, options.signal);
  }
}
