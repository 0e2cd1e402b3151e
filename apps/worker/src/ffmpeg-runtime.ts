import {
  describeFfmpegRuntime,
  type FfmpegRuntime,
  type SandboxMode,
  setDefaultSandboxMode,
} from '@media-server/media-pipeline';
import type { Logger } from 'pino';

/** What a job's status and `/readyz` say about ffmpeg: build, version, isolation, and why it is unsandboxed. */
export interface FfmpegReport {
  build: string;
  version?: string;
  isolation: string;
  warning?: string;
}

/**
 * Makes `mode` the sandbox mode of every ffmpeg/ffprobe run of this process and checks it once: in
 * `required` mode a host where the sandbox cannot start stops the worker here (SandboxUnavailableError),
 * before it takes a message; in `auto` mode an unsandboxed fallback is logged as a warning.
 */
export async function prepareFfmpeg(mode: SandboxMode, log: Logger): Promise<FfmpegReport> {
  setDefaultSandboxMode(mode);
  const runtime = await describeFfmpegRuntime(mode);
  const report = toReport(runtime);
  if (runtime.isolation === 'none' && mode !== 'off') {
    log.warn(
      { ffmpeg: report, mode },
      `!!! ffmpeg runs UNSANDBOXED: ${runtime.unsandboxedReason}. Uploads are decoded with this worker's ` +
        'network, files and user. Install bubblewrap (bwrap) or set FFMPEG_SANDBOX=required to refuse.',
    );
  } else if (runtime.isolation === 'none') {
    log.warn({ ffmpeg: report, mode }, 'ffmpeg runs unsandboxed (FFMPEG_SANDBOX=off)');
  } else {
    log.info({ ffmpeg: report, mode }, 'ffmpeg runs sandboxed');
  }
  if (runtime.build === 'bundled') {
    log.warn(
      { ffmpeg: report },
      'ffmpeg is the bundled 2018 static build: install a maintained ffmpeg (Debian: apt-get install ffmpeg) or set FFMPEG_PATH',
    );
  }
  return report;
}

function toReport(runtime: FfmpegRuntime): FfmpegReport {
  return {
    build: runtime.build,
    ...(runtime.version === undefined ? {} : { version: runtime.version }),
    isolation: runtime.isolation,
    ...(runtime.isolation === 'none'
      ? {
          warning:
            runtime.mode === 'off'
              ? 'unsandboxed: FFMPEG_SANDBOX=off'
              : `unsandboxed: ${runtime.unsandboxedReason ?? 'sandbox unavailable'}`,
        }
      : {}),
  };
}
