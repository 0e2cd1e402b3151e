import { type Static, Type } from 'typebox';

const UrlOrNull = (description: string) =>
  Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description });

/**
 * `GET /v1/jobs/{id}/playback`: signed links to play a job once it is playable (`playableAt`, or succeeded);
 * 409 + Retry-After before, 410 after a failure.
 */
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
/** Signed links to play a job: HLS, MP4, poster, storyboard, and when they expire. */
export type Playback = Static<typeof PlaybackSchema>;
