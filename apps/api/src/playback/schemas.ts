import { JobIdSchema } from '@media-server/jobs';
import { type Static, Type } from 'typebox';

/** The playback routes' schemas (request validation, handler types and the OpenAPI document). */

const UrlOrNull = (description: string) =>
  Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description });

export const PlaybackSchema = Type.Object(
  {
    hls: UrlOrNull(
      'HLS master playlist (signed playback URL, no API key needed); null when the job made no HLS',
    ),
    mp4: UrlOrNull('The MP4 rendition (presigned GET or CDN URL); null when the job made none'),
    poster: UrlOrNull('The poster image; null when the job made none'),
    storyboard: Type.Union(
      [
        Type.Object({
          vtt: Type.String({
            format: 'uri',
            description: 'WebVTT thumbnail track (signed playback URL) whose cues point at `images`',
          }),
          images: Type.Array(Type.String({ format: 'uri' }), {
            description: 'The sprite sheets the VTT names, in order',
          }),
        }),
        Type.Null(),
      ],
      { description: 'Thumbnail storyboard for a seek bar; null when the job made no sprite' },
    ),
    live: Type.Boolean({
      description:
        'true while the job is processing: the HLS playlists grow (EVENT) and gain #EXT-X-ENDLIST when it ' +
        'succeeds; mp4, poster and storyboard are null until then',
    }),
    expiresAt: Type.String({
      format: 'date-time',
      description: 'Every URL here (and in the playlists) stops working at this time',
    }),
  },
  { title: 'Playback' },
);
export type Playback = Static<typeof PlaybackSchema>;

export const PlaybackJobParamsSchema = Type.Object({ id: JobIdSchema });

/** A signed playback path: `/play/<token>/<preset>/<file>`, a playlist or storyboard of the token's job. */
export const PlayParamsSchema = Type.Object({
  token: Type.String({
    minLength: 1,
    maxLength: 300,
    pattern: '^[A-Za-z0-9_.-]+$',
    description: 'Signed playback token (job id and expiry)',
  }),
  dir: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-][A-Za-z0-9_.-]*$',
    description: "Directory under the job's outputs (the preset: hls, sprite)",
  }),
  file: Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.(m3u8|vtt)$',
    description: 'A playlist (.m3u8) or storyboard (.vtt)',
  }),
});

export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
export const VTT_CONTENT_TYPE = 'text/vtt';

/** The 200 response of `/play/…`: the rewritten playlist or storyboard. */
export const playedFileResponse = {
  description: 'The playlist or storyboard, every URI in it rewritten to a signed or CDN URL',
  content: {
    [PLAYLIST_CONTENT_TYPE]: { schema: Type.String() },
    [VTT_CONTENT_TYPE]: { schema: Type.String() },
  },
};
