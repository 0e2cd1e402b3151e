import type { JobState, PresetName } from './job.ts';

// Plain values, apart from the schemas: the client's main entry uses them without loading TypeBox.

/** A job id: 26 lowercase Crockford base32 characters. */
export const JOB_ID_PATTERN = '^[0-9a-hjkmnp-tv-z]{26}$';

/** Every preset name, in the order the API documents them. */
export const PRESET_NAMES: readonly PresetName[] = ['mp4', 'hls', 'poster', 'sprite', 'image', 'audio'];

/** The states a job never leaves: `succeeded` and `failed`. */
export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed'];
