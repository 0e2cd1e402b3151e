/** Stream types as ffprobe names them, plus `'unknown'`. */
export type StreamType = 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'unknown';

/** Fields every stream has. Missing or odd values are `undefined`, never `'N/A'` or `NaN`. */
export interface BaseStream {
  /** Stream index in the file. */
  index: number;
  /** What the stream carries. */
  type: StreamType;
  /** Codec short name (`h264`, `aac`, …); `'unknown'` when ffprobe did not say. */
  codec: string;
  /** Codec description (`H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10`). */
  codecLongName: string | undefined;
  /** Codec profile (`High`, `LC`). */
  profile: string | undefined;
  /** Bits per second. */
  bitRate: number | undefined;
  /** Timestamp of the stream's first packet (non-zero in a fragment cut from a longer stream). */
  startTimeSeconds: number | undefined;
  /** The stream's own duration, when the container gives one. */
  durationSeconds: number | undefined;
  /** Stream tags with lower-cased keys. */
  tags: Record<string, string>;
  /** `true` for the default stream of its type. */
  isDefault: boolean;
}

/** A video stream. */
export interface VideoStream extends BaseStream {
  /** Always `'video'`. */
  type: 'video';
  /** Coded width in pixels (0 when unknown). */
  width: number;
  /** Coded height in pixels (0 when unknown). */
  height: number;
  /** Clockwise rotation to apply for display: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Width as displayed (swapped with height for 90/270). */
  displayWidth: number;
  /** Height as displayed. */
  displayHeight: number;
  /** Average frames per second (falls back to `r_frame_rate`). */
  fps: number | undefined;
  /** Pixel format (`yuv420p`, `yuvj444p`, …). */
  pixelFormat: string | undefined;
  /** Codec level as ffprobe reports it (`31` for H.264 level 3.1). */
  level: number | undefined;
  /** Number of frames, when the container says. */
  frames: number | undefined;
  /** `true` for cover art (`attached_pic`), which is not a real video track. */
  isAttachedPicture: boolean;
}

/** An audio stream. */
export interface AudioStream extends BaseStream {
  /** Always `'audio'`. */
  type: 'audio';
  /** Number of channels. */
  channels: number | undefined;
  /** Channel layout (`stereo`, `5.1(side)`). */
  channelLayout: string | undefined;
  /** Samples per second. */
  sampleRate: number | undefined;
}

/** Any other stream. */
export interface OtherStream extends BaseStream {
  /** What the stream carries. */
  type: 'subtitle' | 'data' | 'attachment' | 'unknown';
}

/** A stream, discriminated on `type`. */
export type ProbeStream = VideoStream | AudioStream | OtherStream;

/** What `probe` returns: ffprobe's JSON, normalised and typed. */
export interface ProbeResult {
  /** Absolute path that was probed. */
  file: string;
  /** `'ffprobe'`, or `'remux'` when ffprobe crashed and the stream-copied file was probed instead. */
  probedVia: 'ffprobe' | 'remux';
  /** The container. */
  format: {
    /** Demuxer names as ffprobe gives them, split: `['mov', 'mp4', 'm4a', …]`. */
    names: string[];
    /** Format description (`QuickTime / MOV`). */
    longName: string | undefined;
    /** Duration the container states. */
    durationSeconds: number | undefined;
    /** File size in bytes. */
    sizeBytes: number | undefined;
    /** Overall bits per second. */
    bitRate: number | undefined;
    /** Format tags with lower-cased keys. */
    tags: Record<string, string>;
  };
  /** Container duration, else the longest stream duration. */
  durationSeconds: number | undefined;
  /** Every stream, in file order. */
  streams: ProbeStream[];
  /** First video stream that is not cover art. */
  video: VideoStream | undefined;
  /** First audio stream. */
  audio: AudioStream | undefined;
}

/** Turns ffprobe's JSON (`-show_format -show_streams`) into a {@link ProbeResult}. */
export function normaliseProbe(file: string, json: { format?: unknown; streams?: unknown }): ProbeResult {
  const f = (json.format ?? {}) as Record<string, unknown>;
  const streams = (Array.isArray(json.streams) ? json.streams : []).map((s) =>
    normaliseStream(s as Record<string, unknown>),
  );
  const formatDuration = positive(f.duration);
  const streamMax = Math.max(0, ...streams.map((s) => s.durationSeconds ?? 0));
  return {
    file,
    probedVia: 'ffprobe',
    format: {
      names: str(f.format_name)?.split(',') ?? [],
      longName: str(f.format_long_name),
      durationSeconds: formatDuration,
      sizeBytes: nonNegative(f.size),
      bitRate: positive(f.bit_rate),
      tags: tags(f.tags),
    },
    durationSeconds: formatDuration ?? (streamMax > 0 ? streamMax : undefined),
    streams,
    video: streams.find((s): s is VideoStream => s.type === 'video' && !s.isAttachedPicture),
    audio: streams.find((s): s is AudioStream => s.type === 'audio'),
  };
}

function normaliseStream(s: Record<string, unknown>): ProbeStream {
  const type =
    (['video', 'audio', 'subtitle', 'data', 'attachment'] as const).find((t) => t === s.codec_type) ??
    'unknown';
  const disposition = (s.disposition ?? {}) as Record<string, unknown>;
  const base = {
    index: typeof s.index === 'number' ? s.index : -1,
    codec: str(s.codec_name) ?? 'unknown',
    codecLongName: str(s.codec_long_name),
    profile: str(s.profile),
    bitRate: positive(s.bit_rate),
    durationSeconds: positive(s.duration),
    startTimeSeconds: finite(s.start_time),
    tags: tags(s.tags),
    isDefault: disposition.default === 1,
  };
  if (type === 'video') {
    const width = nonNegative(s.width) ?? 0;
    const height = nonNegative(s.height) ?? 0;
    const rotation = readRotation(s, base.tags);
    const swap = rotation === 90 || rotation === 270;
    return {
      ...base,
      type,
      width,
      height,
      rotation,
      displayWidth: swap ? height : width,
      displayHeight: swap ? width : height,
      fps: rate(s.avg_frame_rate) ?? rate(s.r_frame_rate),
      pixelFormat: str(s.pix_fmt),
      level: typeof s.level === 'number' && s.level > 0 ? s.level : undefined,
      frames: positive(s.nb_frames),
      isAttachedPicture: disposition.attached_pic === 1,
    };
  }
  if (type === 'audio') {
    return {
      ...base,
      type,
      channels: positive(s.channels),
      channelLayout: str(s.channel_layout),
      sampleRate: positive(s.sample_rate),
    };
  }
  return { ...base, type };
}

function readRotation(s: Record<string, unknown>, t: Record<string, string>): 0 | 90 | 180 | 270 {
  let deg: number | undefined;
  if (t.rotate !== undefined) deg = Number(t.rotate);
  const sideData = Array.isArray(s.side_data_list) ? (s.side_data_list as Record<string, unknown>[]) : [];
  const matrix = sideData.find((d) => typeof d.rotation === 'number');
  // Display-matrix rotation is counter-clockwise; the legacy `rotate` tag is clockwise.
  if (deg === undefined && matrix) deg = -(matrix.rotation as number);
  if (deg === undefined || !Number.isFinite(deg)) return 0;
  const n = (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
  return n as 0 | 90 | 180 | 270;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== 'N/A' && v !== 'unknown' ? v : undefined;
}

function nonNegative(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function positive(v: unknown): number | undefined {
  const n = nonNegative(v);
  return n !== undefined && n > 0 ? n : undefined;
}

function rate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const [a, b] = v.split('/').map(Number);
  if (a === undefined || !Number.isFinite(a) || a <= 0) return undefined;
  const r = b === undefined ? a : b > 0 ? a / b : Number.NaN;
  return Number.isFinite(r) && r > 0 && r < 1000 ? Math.round(r * 1000) / 1000 : undefined;
}

function tags(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') {
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k.toLowerCase()] = val;
  }
  return out;
}

function finite(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
