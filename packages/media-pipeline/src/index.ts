// biome-ignore-all assist/source/organizeImports: the exports are grouped by topic, not sorted by file.
// The public API, by topic. Anything not listed here is internal: tests and benches import it from its file.

// Building a command: the immutable builder and its filter graph.
export {
  type CleanupTarget,
  FfmpegBuilder,
  ffmpeg,
  type GlobalOptions,
  type InputOptions,
  type InputSpec,
  type OptionValue,
  type OutputOptions,
  type OutputSpec,
} from './builder.ts';
export {
  aresample,
  asplit,
  type FilterChain,
  FilterGraph,
  type FilterNode,
  type FilterValue,
  filter,
  fps,
  overlay,
  pixelFormat,
  type ScaleOptions,
  scale,
  select,
  split,
  thumbnail,
  tile,
} from './filter-graph.ts';

// Running it, and which binaries run.
export { type RunFfmpegOptions, type RunFfmpegResult, runFfmpeg } from './run-ffmpeg.ts';
export {
  type BinaryBuild,
  type FfmpegBinaries,
  type FfmpegBuildKind,
  MIN_SYSTEM_RELEASE,
  resolveBinaries,
} from './binaries.ts';
export { type FfmpegCapabilities, getCapabilities } from './capabilities.ts';

// Progress reports.
export { type FfmpegProgress, MAX_RUNNING_PERCENT } from './progress.ts';

// Probing.
export { type ProbeOptions, probe } from './probe.ts';
export type {
  AudioStream,
  BaseStream,
  OtherStream,
  ProbeResult,
  ProbeStream,
  StreamType,
  VideoStream,
} from './probe-result.ts';

// Admitting an untrusted input: probe, policy, locked-down input profile.
export { type AdmitInputOptions, type AdmittedInput, admitInput } from './admit-input.ts';
export {
  checkInputPolicy,
  DEFAULT_MAX_DURATION_SECONDS,
  detectMediaKind,
  type InputPolicy,
  type MediaKind,
} from './input-policy.ts';
export {
  AUDIO_FORMATS,
  createInputProfile,
  DEFAULT_FORMATS,
  IMAGE_FORMATS,
  type InputProfile,
  VIDEO_FORMATS,
} from './input-profile.ts';

// Presets: plain functions returning a PresetPlan for runPreset.
export { type H264Mp4Options, h264Mp4 } from './presets/h264-mp4.ts';
export {
  DEFAULT_HLS_LADDER,
  START_SEGMENT_SECONDS,
  type HlsLadderOptions,
  type HlsRung,
  hlsLadder,
  type MasterVariant,
  type MediaPlaylist,
  type PlannedRung,
  parseMasterPlaylist,
  parseMediaPlaylist,
  planLadder,
} from './presets/hls-ladder.ts';
export { type PosterOptions, poster } from './presets/poster.ts';
export {
  type SpriteOptions,
  type StoryboardPlan,
  type StoryboardStrategy,
  sprite,
} from './presets/sprite.ts';
export { planStoryboard, type StoryboardLayout, type StoryboardLayoutOptions } from './storyboard-layout.ts';
export { SHARED_TOP_RUNG, type VideoSetOptions, type VideoSetPlan, videoSet } from './presets/video-set.ts';
export {
  type ImageFormat,
  type ImageVariant,
  type ImageVariantsOptions,
  type ImageVariantsPlan,
  imageVariants,
} from './presets/image-variants.ts';
export { type AudioOnlyOptions, audioOnly, type PeaksJson } from './presets/audio-only.ts';
export { COST_WEIGHTS, megapixelSeconds } from './preset-cost.ts';

// Running a preset, and checking what it produced against the source's duration.
export {
  type OutputFile,
  type OutputKind,
  type PresetPlan,
  type PresetRunResult,
  runPreset,
} from './outputs.ts';
export { DURATION_TOLERANCE, expectedOutputSeconds } from './verify-outputs.ts';

// Sandbox: how ffmpeg and ffprobe are isolated.
export {
  defaultSandboxMode,
  type Isolation,
  isSandboxMode,
  type SandboxMode,
  setDefaultSandboxMode,
} from './sandbox/mode.ts';
export type { SandboxPaths } from './sandbox/paths.ts';
export { describeFfmpegRuntime, type FfmpegRuntime } from './sandbox/describe.ts';

// Errors: one base class (`code`, `kind`, `permanent`), a subclass for each failure a caller branches on.
export {
  CapabilityMissingError,
  FfmpegAbortError,
  type FfmpegExitDetails,
  FfmpegExitError,
  type FfmpegExitErrorOptions,
  FfmpegNotFoundError,
  FfmpegTimeoutError,
  InputDecodeError,
  type InputRule,
  InputTruncatedError,
  InvalidOutputError,
  isInputError,
  MediaPipelineError,
  type MediaPipelineErrorCode,
  type MediaPipelineErrorKind,
  type MediaPipelineErrorOptions,
  MemoryLimitError,
  ProbeError,
  SandboxUnavailableError,
  type TruncationDetails,
  UnsupportedInputError,
} from './errors.ts';
