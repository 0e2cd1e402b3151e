import { stat } from 'node:fs/promises';
import type { PresetName } from '@media-server/jobs';
import type { OutputFile } from '@media-server/media-pipeline';
import type { JobProgressTracker } from './job-progress.ts';
import type { LivePublisher } from './live-hls/live-publisher.ts';
import type { ProcessContext } from './process-job.ts';
import { uploadFile } from './s3-transfer.ts';

/** An output file and the preset that made it. */
export type PresetFile = OutputFile & { preset: PresetName };

/** Stores the outputs (streamed, multipart for big files) but those the live publisher already stored. */
export async function storeOutputs(
  context: ProcessContext,
  files: PresetFile[],
  keyOf: (file: OutputFile) => string,
  live: LivePublisher | undefined,
  progress: JobProgressTracker,
): Promise<void> {
  const { writer, signal } = context;
  const sizes = await Promise.all(files.map(async (file) => (await stat(file.path)).size));
  const storeBytes = sizes.reduce((sum, size) => sum + size, 0);
  progress.planStore(storeBytes);
  writer.progress(progress.advance('store', 0, Date.now()));
  let stored = 0;
  for (const [i, file] of files.entries()) {
    signal.throwIfAborted();
    if (live?.stored.has(file.path)) {
      stored += sizes[i] ?? 0;
      continue;
    }
    await uploadFile({
      s3: context.s3,
      bucket: context.target.bucket,
      key: keyOf(file),
      file: file.path,
      contentType: file.contentType,
      signal,
    });
    stored += sizes[i] ?? 0;
    writer.progress(progress.advance('store', storeBytes > 0 ? stored / storeBytes : 1, Date.now()));
  }
}
