import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_STATES } from '@media-server/jobs';
import type { AppContext } from '../context.ts';
import { jobView, loadJob } from '../job-view.ts';
import { JobIdParamsSchema, problemResponse, SseEventSchema } from '../schemas.ts';
import type { TypedApp } from '../typed-app.ts';

const EVENTS_DESCRIPTION = [
  'Server-Sent Events. `event: state` (data: the job) when the state changes, the first one at once;',
  '`event: progress` (data: {state, progress, playableAt?}) when progress moves or the job becomes playable; `event: end` then the stream closes',
  'once the job is `succeeded` or `failed` (the last `state` event carries the outputs with links).',
  'Comment lines (`: ping`) keep the connection open. A browser passes the key with a fetch-based',
  'EventSource or through `Authorization` on `fetch`; `Last-Event-ID` is accepted and ignored (state is resent).',
].join(' ');

export function registerEventRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/v1/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'getJobEvents',
        summary: 'Progress and state changes of a job (Server-Sent Events)',
        description: EVENTS_DESCRIPTION,
        params: JobIdParamsSchema,
        response: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: SseEventSchema } },
          },
          default: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const jobId = request.params.id;
      // Answer 404 (problem+json) before the stream starts.
      let docs = await loadJob(ctx, jobId, request.caller);

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        // Headers hooks already set (CORS, request id) are not sent by a hijacked reply on their own.
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      raw.flushHeaders();

      const closed = new AbortController();
      const onClosing = (): void => closed.abort();
      ctx.closing.addEventListener('abort', onClosing, { once: true });
      request.raw.on('close', () => closed.abort());
      raw.on('close', () => closed.abort());
      ctx.metrics.sseConnections.inc();
      const deadline = Date.now() + ctx.config.sseMaxSeconds * 1000;
      let eventId = 0;
      const send = (event: string, data: unknown): void => {
        eventId += 1;
        raw.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };

      let lastState: string | undefined;
      let lastProgress: string | undefined;
      let lastWrite = Date.now();
      try {
        while (!closed.signal.aborted && Date.now() < deadline) {
          const terminal = docs.status !== undefined && TERMINAL_STATES.includes(docs.status.state);
          const view = await jobView(ctx, docs, { sign: terminal });
          if (view.state !== lastState) {
            send('state', view);
            lastState = view.state;
            lastProgress = JSON.stringify([view.progress ?? null, view.playableAt ?? null]);
            lastWrite = Date.now();
          } else {
            // playableAt is part of the progress: the page starts playing when it appears.
            const progress = JSON.stringify([view.progress ?? null, view.playableAt ?? null]);
            if (progress !== lastProgress && view.progress !== undefined) {
              send('progress', {
                state: view.state,
                progress: view.progress,
                ...(view.playableAt === undefined ? {} : { playableAt: view.playableAt }),
              });
              lastProgress = progress;
              lastWrite = Date.now();
            }
          }
          if (terminal) {
            send('end', { state: view.state });
            break;
          }
          if (Date.now() - lastWrite >= ctx.config.sseHeartbeatMs) {
            raw.write(': ping\n\n');
            lastWrite = Date.now();
          }
          try {
            await sleep(ctx.config.ssePollMs, undefined, { signal: closed.signal });
          } catch {
            break;
          }
          try {
            docs = await loadJob(ctx, jobId, request.caller);
          } catch (error) {
            // Deleted while watched: say so and end.
            send('error', { detail: (error as Error).message });
            break;
          }
        }
      } catch (error) {
        request.log.error({ err: error, jobId }, 'event stream failed');
        if (!closed.signal.aborted) send('error', { detail: 'the stream failed; reconnect' });
      } finally {
        ctx.metrics.sseConnections.dec();
        ctx.closing.removeEventListener('abort', onClosing);
        if (!raw.writableEnded) raw.end();
      }
    },
  );
}
