import { describe, expect, it } from 'vitest';
import { newJobId } from './job-id.ts';
import type { JobSpec, JobStatus } from './schema.ts';
import { jobViewState, needsSourceCheck } from './view-state.ts';

const JOB = newJobId();
const CREATED = '2026-12-06T10:00:00.000Z';
const raw: JobSpec = {
  schemaVersion: 1,
  jobId: JOB,
  createdAt: CREATED,
  source: { key: `uploads/${JOB}/a.mp4` },
};
const uploaded: JobSpec = { ...raw, upload: { method: 'put', expiresAt: CREATED } };
const status: JobStatus = {
  schemaVersion: 1,
  jobId: JOB,
  state: 'processing',
  source: { bucket: 'media', key: raw.source.key },
  attempts: 1,
  outputs: [],
  timings: { queuedAt: CREATED },
  createdAt: CREATED,
  updatedAt: CREATED,
};

describe('jobViewState', () => {
  it("is the status document's state once there is one (no source check)", () => {
    expect(needsSourceCheck(status, uploaded)).toBe(false);
    expect(jobViewState(status, uploaded, undefined)).toBe('processing');
    expect(jobViewState({ ...status, state: 'failed' }, undefined, undefined)).toBe('failed');
  });

  it('before the worker starts: awaiting_upload until the uploaded source exists, then queued', () => {
    expect(needsSourceCheck(undefined, uploaded)).toBe(true);
    expect(jobViewState(undefined, uploaded, false)).toBe('awaiting_upload');
    expect(jobViewState(undefined, uploaded, true)).toBe('queued');
  });

  it('a job made from a source already in the bucket is queued without a check', () => {
    expect(needsSourceCheck(undefined, raw)).toBe(false);
    expect(jobViewState(undefined, raw, undefined)).toBe('queued');
    expect(jobViewState(undefined, undefined, undefined)).toBe('queued');
  });
});
