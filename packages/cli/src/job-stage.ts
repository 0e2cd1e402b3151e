import type { JobEvent, JobView } from '@media-server/client';

/** The job's state as a short phrase: `queued`, `transcoding hls 45%`, `succeeded`. */
export function describeJob(job: Pick<JobView, 'state' | 'progress'>): string {
  if (job.state !== 'processing' || job.progress === undefined) return job.state.replace('_', ' ');
  const { stage, preset, percent } = job.progress;
  return `${stage}${preset === undefined ? '' : ` ${preset}`} ${Math.floor(percent)}%`;
}

/** The phrase after an event, given the one before. */
export function describeEvent(event: JobEvent, previous: string): string {
  if (event.event === 'state') return describeJob(event.data);
  if (event.event === 'progress')
    return describeJob({ state: event.data.state, progress: event.data.progress });
  if (event.event === 'end') return event.data.state;
  return previous;
}
