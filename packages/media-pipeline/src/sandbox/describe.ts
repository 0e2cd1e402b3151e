import { type FfmpegBuildKind, resolveBinaries } from '../binaries.ts';
import { defaultSandboxMode, type Isolation, type SandboxMode } from './mode.ts';
import { NO_PATHS } from './paths.ts';
import { planSpawn } from './spawn-plan.ts';

/** Which ffmpeg a process runs and how: what a worker reports in `/readyz` and in every job's status. */
export interface FfmpegRuntime {
  /** Where `ffmpeg` came from. */
  build: FfmpegBuildKind;
  /** Its `-version` token. */
  version: string | undefined;
  /** Where `ffprobe` came from, and its version. */
  ffprobe: { build: FfmpegBuildKind; version: string | undefined };
  /** The sandbox mode it was described for. */
  mode: SandboxMode;
  /** What runs get: `'bwrap'`, or `'none'` when the mode is `off` or `auto` fell back. */
  isolation: Isolation;
  /** Why runs are unsandboxed although the mode is `auto` (the loud warning). */
  unsandboxedReason?: string | undefined;
}

/**
 * Resolves the binaries and checks that the sandbox starts for both (results cached for later runs).
 *
 * @throws SandboxUnavailableError in `required` mode when it cannot; FfmpegNotFoundError.
 * @param mode - Default {@link defaultSandboxMode}`()`.
 * @example
 * ```ts
 * import { describeFfmpegRuntime } from '@media-server/media-pipeline';
 *
 * const runtime = await describeFfmpegRuntime('auto');
 * if (runtime.isolation === 'none') console.warn('ffmpeg runs unsandboxed:', runtime.unsandboxedReason);
 * ```
 */
export async function describeFfmpegRuntime(
  mode: SandboxMode = defaultSandboxMode(),
): Promise<FfmpegRuntime> {
  const bins = resolveBinaries();
  const [ffmpegPlan, ffprobePlan] = await Promise.all([
    planSpawn(bins.ffmpeg, ['-version'], { mode, paths: NO_PATHS }),
    planSpawn(bins.ffprobe, ['-version'], { mode, paths: NO_PATHS }),
  ]);
  const unsandboxed = ffmpegPlan.isolation === 'none' ? ffmpegPlan : ffprobePlan;
  const isolation = ffmpegPlan.isolation === 'none' || ffprobePlan.isolation === 'none' ? 'none' : 'bwrap';
  return {
    build: bins.ffmpegBuild.build,
    version: bins.ffmpegBuild.version,
    ffprobe: { build: bins.ffprobeBuild.build, version: bins.ffprobeBuild.version },
    mode,
    isolation,
    ...(isolation === 'none' && unsandboxed.unsandboxedReason
      ? { unsandboxedReason: unsandboxed.unsandboxedReason }
      : {}),
  };
}
