import {
  checkInputPolicy,
  DEFAULT_MAX_DURATION_SECONDS,
  type InputPolicy,
  type MediaKind,
} from './input-policy.ts';
import { createInputProfile, DEFAULT_FORMATS, type InputProfile } from './input-profile.ts';
import { type ProbeOptions, probe } from './probe.ts';
import type { ProbeResult } from './probe-result.ts';

/** Options of {@link admitInput}: the probe's (every one optional), plus the policy. */
export interface AdmitInputOptions extends ProbeOptions {
  /** Limits the input must meet. Default: {@link checkInputPolicy}'s defaults. */
  policy?: InputPolicy | undefined;
}

/** An input that passed the probe and the policy. */
export interface AdmittedInput {
  /** The probe, made under the base profile. */
  probe: ProbeResult;
  /** What the input is, for choosing presets. */
  kind: MediaKind;
  /**
   * Input profile to run presets with: the probe's profile with the format whitelist narrowed to the
   * demuxer that actually recognised the file, and `-t` set to the duration limit: the base profile's
   * `maxDurationSeconds` when it has one, else the policy's `maxDurationSeconds`, else its default
   * ({@link DEFAULT_MAX_DURATION_SECONDS}). Images get it too (harmless: one frame).
   */
  profile: InputProfile;
}

/**
 * Probe first, then policy: the untrusted-input gate a worker runs before any preset.
 *
 * @throws ProbeError / UnsupportedInputError (`kind: 'input'`: fail the job permanently), or runtime errors.
 * @example
 * ```ts
 * import { admitInput, h264Mp4, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.bin';
 * const { probe, kind, profile } = await admitInput(input, { policy: { maxDurationSeconds: 3600 } });
 * if (kind === 'video') await runPreset(h264Mp4({ input, probe, output: '/tmp/out.mp4', profile }));
 * ```
 */
export async function admitInput(file: string, options: AdmitInputOptions = {}): Promise<AdmittedInput> {
  const base = options.profile ?? createInputProfile();
  const info = await probe(file, { ...options, profile: base });
  const kind = checkInputPolicy(info, options.policy);
  const allowed = new Set(base.formats.length ? base.formats : DEFAULT_FORMATS);
  const formats = info.format.names.filter((n) => allowed.has(n));
  const profile = createInputProfile({
    ...base,
    formats: formats.length ? formats : base.formats,
    maxDurationSeconds:
      base.maxDurationSeconds ?? options.policy?.maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS,
  });
  return { probe: info, kind, profile };
}
