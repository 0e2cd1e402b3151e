import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { newJobId } from './job-id.ts';
import { type JobStatus, JobStatusSchema } from './schema.ts';
import type { Transition } from './transition.ts';
import {
  type ClaimInput,
  claimJob,
  failJob,
  type JobResult,
  markPlayable,
  recordProgress,
  recordWebhookAttempt,
  requeueJob,
  succeedJob,
} from './worker-transitions.ts';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const JOB = newJobId(T0);
const SOURCE = { bucket: 'media', key: `uploads/${JOB}/clip.mp4`, etag: 'abc', size: 1234 };

function claimInput(overrides: Partial<ClaimInput> = {}): ClaimInput {
  return {
    jobId: JOB,
    workerId: 'w1',
    messageId: 'm1',
    receiveCount: 1,
    source: SOURCE,
    via: 'event',
    specCreatedAt: '2026-12-06T09:59:00.000Z',
    peerLivenessMs: 30_000,
    now: T0,
    ...overrides,
  };
}

/** The status of a transition that must apply; fails the test with the refusal otherwise. */
function applied(transition: Transition): JobStatus {
  if (!transition.ok) throw new Error(`refused: ${transition.reason} (${transition.message})`);
  expect(Value.Check(JobStatusSchema, transition.status)).toBe(true);
  return transition.status;
}

function processing(overrides: Partial<JobStatus> = {}): JobStatus {
  return { ...applied(claimJob(undefined, claimInput())), ...overrides };
}

const RESULT: JobResult = {
  outputs: [
    { preset: 'mp4', kind: 'mp4', key: `outputs/${JOB}/mp4/clip.mp4`, contentType: 'video/mp4', size: 99 },
  ],
  probe: { kind: 'video' },
  etag: 'def',
  size: 2048,
  timings: { downloadMs: 1, processMs: 2, uploadMs: 3 },
};

describe('claimJob', () => {
  it('starts a job without a status: processing at 0 %, held by the worker, times from the spec', () => {
    // Act
    const status = applied(claimJob(undefined, claimInput({ receiveCount: 2 })));

    // Assess
    expect(status).toMatchObject({
      jobId: JOB,
      state: 'processing',
      source: SOURCE,
      attempts: 2,
      progress: { percent: 0, stage: 'downloading' },
      outputs: [],
      timings: { queuedAt: '2026-12-06T09:59:00.000Z', startedAt: '2026-12-06T10:00:00.000Z' },
      worker: { id: 'w1', heartbeatAt: '2026-12-06T10:00:00.000Z', messageId: 'm1' },
      createdAt: '2026-12-06T09:59:00.000Z',
    });
  });

  it('restarts a re-queued job: one more attempt, its error and live ladder gone, its history kept', () => {
    // Prepare
    const queued: JobStatus = {
      ...processing({ attempts: 3, reenqueued: 1 }),
      state: 'queued',
      error: { code: 'Error', message: 'socket hang up', permanent: false },
      webhookDeliveries: [
        { event: 'job.processing', attempt: 1, ok: true, statusCode: 200, at: '2026-12-06T09:59:30.000Z' },
      ],
      timings: { queuedAt: '2026-12-06T09:00:00.000Z' },
    };

    // Act
    const status = applied(
      claimJob(queued, claimInput({ workerId: 'w2', messageId: 'm2', now: T0 + 60_000 })),
    );

    // Assess
    expect(status.attempts).toBe(4);
    expect(status.error).toBeUndefined();
    expect(status.reenqueued).toBe(1);
    expect(status.webhookDeliveries).toHaveLength(1);
    expect(status.timings.queuedAt).toBe('2026-12-06T09:00:00.000Z');
    expect(status.worker?.id).toBe('w2');
  });

  it('records the ffmpeg that runs the job', () => {
    const ffmpeg = { build: 'system', version: '7.1', isolation: 'bubblewrap' };
    expect(applied(claimJob(undefined, claimInput({ ffmpeg }))).ffmpeg).toEqual(ffmpeg);
  });

  it('refuses a source that already succeeded, but not a new upload under the same key', () => {
    // Prepare
    const succeeded = applied(
      succeedJob(processing(), { workerId: 'w1', result: { ...RESULT, etag: 'abc' }, now: T0 }),
    );

    // Act
    const same = claimJob(succeeded, claimInput());
    const replaced = claimJob(succeeded, claimInput({ source: { ...SOURCE, etag: 'new' } }));

    // Assess
    expect(same).toMatchObject({ ok: false, reason: 'already-succeeded' });
    expect(replaced.ok).toBe(true);
  });

  it('refuses an S3 event for a source that failed permanently; a job message retries it', () => {
    // Prepare
    const failed = applied(
      failJob(processing(), {
        workerId: 'w1',
        error: { code: 'INPUT_EMPTY', message: 'empty', permanent: true },
        now: T0,
      }),
    );

    // Act / Assess
    expect(claimJob(failed, claimInput())).toMatchObject({ ok: false, reason: 'already-failed' });
    expect(claimJob(failed, claimInput({ via: 'message' })).ok).toBe(true);
  });

  it('refuses while a live peer holds the job; takes over a silent peer or a redelivered message', () => {
    // Prepare: w1 holds the job since T0.
    const held = processing();
    const peer = { workerId: 'w2', messageId: 'm2' };

    // Act
    const live = claimJob(held, claimInput({ ...peer, now: T0 + 29_000 }));
    const silent = claimJob(held, claimInput({ ...peer, now: T0 + 30_000 }));
    const redelivered = claimJob(held, claimInput({ workerId: 'w2', messageId: 'm1', now: T0 + 1000 }));
    const itself = claimJob(held, claimInput({ now: T0 + 1000 }));

    // Assess
    expect(live).toMatchObject({ ok: false, reason: 'held-by-peer' });
    expect(applied(silent).worker?.id).toBe('w2');
    expect(applied(redelivered).worker?.id).toBe('w2');
    expect(itself.ok).toBe(true);
  });
});

describe('recordProgress', () => {
  it('writes the progress and the heartbeat of the holder', () => {
    // Act
    const status = applied(
      recordProgress(processing(), {
        workerId: 'w1',
        progress: { percent: 40, stage: 'transcoding' },
        now: T0 + 5000,
      }),
    );

    // Assess
    expect(status.progress).toEqual({ percent: 40, stage: 'transcoding' });
    expect(status.worker).toEqual({ id: 'w1', heartbeatAt: '2026-12-06T10:00:05.000Z', messageId: 'm1' });
  });

  it('without progress it is only the heartbeat', () => {
    const status = applied(recordProgress(processing(), { workerId: 'w1', now: T0 + 5000 }));
    expect(status.progress).toEqual({ percent: 0, stage: 'downloading' });
    expect(status.worker?.heartbeatAt).toBe('2026-12-06T10:00:05.000Z');
  });

  it('refuses: no status, another holder, a job that ended or went back to the queue', () => {
    const input = { workerId: 'w1', now: T0 };
    expect(recordProgress(undefined, input)).toMatchObject({ ok: false, reason: 'no-status' });
    expect(recordProgress(processing(), { ...input, workerId: 'w2' })).toMatchObject({
      ok: false,
      reason: 'not-holder',
    });
    const succeeded = applied(succeedJob(processing(), { workerId: 'w1', result: RESULT, now: T0 }));
    expect(recordProgress(succeeded, input)).toMatchObject({ ok: false, reason: 'terminal' });
    expect(recordProgress(processing({ state: 'queued' }), input)).toMatchObject({
      ok: false,
      reason: 'not-processing',
    });
  });
});

describe('markPlayable', () => {
  it('records the live ladder and when it became playable', () => {
    // Act
    const status = applied(
      markPlayable(processing(), {
        workerId: 'w1',
        attempt: 'a1',
        masterKey: 'outputs/x/master.m3u8',
        now: T0,
      }),
    );

    // Assess
    expect(status.playableAt).toBe('2026-12-06T10:00:00.000Z');
    expect(status.live).toEqual({ attempt: 'a1', masterKey: 'outputs/x/master.m3u8' });
  });

  it('refuses for a worker that lost the job', () => {
    const input = { workerId: 'w2', attempt: 'a1', masterKey: 'k', now: T0 };
    expect(markPlayable(processing(), input)).toMatchObject({ ok: false, reason: 'not-holder' });
    expect(markPlayable(undefined, input)).toMatchObject({ ok: false, reason: 'no-status' });
  });
});

describe('succeedJob', () => {
  it('writes 100 % with succeeded, the outputs, the probe and the timings, and drops the attempt', () => {
    // Prepare
    const playable = applied(
      markPlayable(processing(), { workerId: 'w1', attempt: 'a1', masterKey: 'k', now: T0 }),
    );

    // Act
    const status = applied(succeedJob(playable, { workerId: 'w1', result: RESULT, now: T0 + 9000 }));

    // Assess
    expect(status).toMatchObject({
      state: 'succeeded',
      progress: { percent: 100, stage: 'done' },
      source: { ...SOURCE, etag: 'def', size: 2048 },
      outputs: RESULT.outputs,
      probe: { kind: 'video' },
      timings: { downloadMs: 1, processMs: 2, uploadMs: 3, finishedAt: '2026-12-06T10:00:09.000Z' },
    });
    expect(status.worker).toBeUndefined();
    expect(status.live).toBeUndefined();
    // The VOD replaces the live ladder; the job stays playable.
    expect(status.playableAt).toBe('2026-12-06T10:00:00.000Z');
  });

  it('refuses for a worker that lost the job, and for a job that ended', () => {
    const input = { workerId: 'w1', result: RESULT, now: T0 };
    expect(succeedJob(processing(), { ...input, workerId: 'w2' })).toMatchObject({
      ok: false,
      reason: 'not-holder',
    });
    const failed = applied(
      failJob(processing(), { workerId: 'w1', error: { code: 'X', message: 'x', permanent: true }, now: T0 }),
    );
    expect(succeedJob(failed, input)).toMatchObject({ ok: false, reason: 'terminal' });
    expect(succeedJob(undefined, input)).toMatchObject({ ok: false, reason: 'no-status' });
  });
});

describe('failJob and requeueJob', () => {
  const error = { code: 'DECODE_ERROR', message: 'corrupt', permanent: true };
  const transient = { code: 'Error', message: 'socket hang up', permanent: false };

  it('failJob: failed with the error, no outputs, finished; the live ladder is no longer served', () => {
    // Prepare
    const playable = applied(
      markPlayable(processing(), { workerId: 'w1', attempt: 'a1', masterKey: 'k', now: T0 }),
    );

    // Act
    const status = applied(failJob(playable, { workerId: 'w1', error, now: T0 + 1000 }));

    // Assess
    expect(status).toMatchObject({ state: 'failed', error, outputs: [] });
    expect(status.timings.finishedAt).toBe('2026-12-06T10:00:01.000Z');
    for (const field of ['progress', 'worker', 'live', 'playableAt'] as const) {
      expect(status[field]).toBeUndefined();
    }
  });

  it('requeueJob: queued with the error for the next delivery, not finished', () => {
    // Act
    const status = applied(requeueJob(processing(), { workerId: 'w1', error: transient }));

    // Assess
    expect(status).toMatchObject({ state: 'queued', error: transient, attempts: 1 });
    expect(status.timings.finishedAt).toBeUndefined();
    expect(status.worker).toBeUndefined();
    expect(status.progress).toBeUndefined();
  });

  it('both refuse for a worker that lost the job and for a job that ended', () => {
    const ended = applied(failJob(processing(), { workerId: 'w1', error, now: T0 }));
    expect(failJob(processing(), { workerId: 'w2', error, now: T0 })).toMatchObject({ reason: 'not-holder' });
    expect(requeueJob(processing(), { workerId: 'w2', error: transient })).toMatchObject({
      reason: 'not-holder',
    });
    expect(failJob(ended, { workerId: 'w1', error, now: T0 })).toMatchObject({ reason: 'terminal' });
    expect(requeueJob(ended, { workerId: 'w1', error: transient })).toMatchObject({ reason: 'terminal' });
    expect(requeueJob(undefined, { workerId: 'w1', error: transient })).toMatchObject({
      reason: 'no-status',
    });
  });
});

describe('recordWebhookAttempt', () => {
  const attempt = (n: number) => ({
    event: 'job.succeeded' as const,
    attempt: n,
    ok: n === 3,
    statusCode: n === 3 ? 200 : 503,
    at: new Date(T0 + n * 1000).toISOString(),
  });

  it('appends the attempt in any state, keeping the newest ones', () => {
    // Prepare
    const succeeded = applied(succeedJob(processing(), { workerId: 'w1', result: RESULT, now: T0 }));

    // Act
    let status = succeeded;
    for (const n of [1, 2, 3])
      status = applied(recordWebhookAttempt(status, { attempt: attempt(n), keep: 2 }));

    // Assess
    expect(status.state).toBe('succeeded');
    expect(status.webhookDeliveries?.map((delivery) => delivery.attempt)).toEqual([2, 3]);
  });

  it('refuses without a status document', () => {
    expect(recordWebhookAttempt(undefined, { attempt: attempt(1), keep: 50 })).toMatchObject({
      ok: false,
      reason: 'no-status',
    });
  });
});
