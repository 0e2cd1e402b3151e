import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { newJobId } from './job-id.ts';
import { exhaustJob, reenqueueJob, undoReenqueue } from './reconciler-transitions.ts';
import { type JobStatus, JobStatusSchema } from './schema.ts';
import { lastActivity, type Transition } from './transition.ts';

const MINUTE = 60_000;
const CREATED = '2026-12-06T10:00:00.000Z';
const JOB = newJobId(Date.parse(CREATED));
const SOURCE = { bucket: 'media', key: `uploads/${JOB}/clip.mp4`, etag: 'abc' };

function applied(transition: Transition): JobStatus {
  if (!transition.ok) throw new Error(`refused: ${transition.reason} (${transition.message})`);
  expect(Value.Check(JobStatusSchema, transition.status)).toBe(true);
  return transition.status;
}

/** A job whose worker died at 10:05 while processing, with a live ladder. */
function abandoned(overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    schemaVersion: 1,
    jobId: JOB,
    state: 'processing',
    source: SOURCE,
    attempts: 1,
    progress: { percent: 30, stage: 'transcoding' },
    outputs: [],
    timings: { queuedAt: CREATED, startedAt: '2026-12-06T10:01:00.000Z' },
    playableAt: '2026-12-06T10:02:00.000Z',
    live: { attempt: 'a1', masterKey: `outputs/${JOB}/hls-a1/master.m3u8` },
    worker: { id: 'w1', heartbeatAt: '2026-12-06T10:05:00.000Z', messageId: 'm1' },
    createdAt: CREATED,
    updatedAt: '2026-12-06T10:04:00.000Z',
    ...overrides,
  };
}

function staleInput(status: JobStatus | undefined) {
  const seenActivity = lastActivity(status, CREATED);
  return { jobId: JOB, specCreatedAt: CREATED, seenActivity, now: seenActivity + 11 * MINUTE };
}

describe('lastActivity', () => {
  it('is the latest of creation, last write and heartbeat', () => {
    expect(lastActivity(undefined, CREATED)).toBe(Date.parse(CREATED));
    expect(lastActivity(abandoned(), CREATED)).toBe(Date.parse('2026-12-06T10:05:00.000Z'));
    expect(lastActivity(abandoned({ updatedAt: '2026-12-06T10:06:00.000Z' }), CREATED)).toBe(
      Date.parse('2026-12-06T10:06:00.000Z'),
    );
  });
});

describe('reenqueueJob', () => {
  it('queues an abandoned job again: its attempt dropped, the re-enqueue counted', () => {
    // Prepare
    const current = abandoned();

    // Act
    const status = applied(reenqueueJob(current, { ...staleInput(current), source: SOURCE }));

    // Assess
    expect(status).toMatchObject({ state: 'queued', reenqueued: 1, attempts: 1 });
    for (const field of ['worker', 'progress', 'live', 'playableAt'] as const) {
      expect(status[field]).toBeUndefined();
    }
  });

  it('gives a job that never started its first status', () => {
    // Act
    const input = staleInput(undefined);
    const status = applied(reenqueueJob(undefined, { ...input, source: SOURCE }));

    // Assess
    expect(status).toMatchObject({
      jobId: JOB,
      state: 'queued',
      source: SOURCE,
      attempts: 0,
      outputs: [],
      timings: { queuedAt: CREATED },
      createdAt: CREATED,
      reenqueued: 1,
      updatedAt: new Date(input.now).toISOString(),
    });
  });

  it('leaves out an empty ETag', () => {
    const status = applied(
      reenqueueJob(undefined, { ...staleInput(undefined), source: { ...SOURCE, etag: '' } }),
    );
    expect(status.source.etag).toBeUndefined();
  });

  it('refuses a job that ended, or that showed life since the reconciler looked', () => {
    // Prepare
    const current = abandoned();
    const input = { ...staleInput(current), source: SOURCE };
    const beat = abandoned({ worker: { id: 'w1', heartbeatAt: '2026-12-06T10:15:00.000Z' } });

    // Act / Assess
    expect(reenqueueJob({ ...current, state: 'succeeded' }, input)).toMatchObject({
      ok: false,
      reason: 'terminal',
    });
    expect(reenqueueJob(beat, input)).toMatchObject({ ok: false, reason: 'stale' });
  });
});

describe('undoReenqueue', () => {
  it('takes the count back while the status is the one marked', () => {
    // Prepare
    const marked = applied(reenqueueJob(abandoned(), { ...staleInput(abandoned()), source: SOURCE }));

    // Act
    const status = applied(undoReenqueue(marked, { markedUpdatedAt: marked.updatedAt }));

    // Assess
    expect(status.reenqueued).toBe(0);
  });

  it('refuses once the status changed, or without one', () => {
    const marked = applied(reenqueueJob(abandoned(), { ...staleInput(abandoned()), source: SOURCE }));
    expect(undoReenqueue(marked, { markedUpdatedAt: '2026-12-06T11:00:00.000Z' })).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    expect(undoReenqueue(undefined, { markedUpdatedAt: marked.updatedAt })).toMatchObject({
      ok: false,
      reason: 'no-status',
    });
  });
});

describe('exhaustJob', () => {
  it('fails a job still stale after its re-enqueue, saying for how long', () => {
    // Prepare
    const current = abandoned({ reenqueued: 1 });
    const input = staleInput(current);

    // Act
    const status = applied(exhaustJob(current, input));

    // Assess
    expect(status).toMatchObject({
      state: 'failed',
      outputs: [],
      error: {
        code: 'EXHAUSTED_RETRIES',
        message: 'exhausted retries: no progress for 11 minutes after it was re-enqueued',
        permanent: true,
      },
      timings: { finishedAt: new Date(input.now).toISOString() },
    });
    expect(status.worker).toBeUndefined();
    expect(status.playableAt).toBeUndefined();
  });

  it('refuses without a status, after the job ended, and when it showed life since', () => {
    const current = abandoned({ reenqueued: 1 });
    const input = staleInput(current);
    expect(exhaustJob(undefined, input)).toMatchObject({ ok: false, reason: 'no-status' });
    expect(exhaustJob({ ...current, state: 'failed' }, input)).toMatchObject({
      ok: false,
      reason: 'terminal',
    });
    expect(exhaustJob({ ...current, updatedAt: '2026-12-06T10:20:00.000Z' }, input)).toMatchObject({
      ok: false,
      reason: 'stale',
    });
  });
});
