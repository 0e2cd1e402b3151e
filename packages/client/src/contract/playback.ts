import { type Static, Type } from 'typebox';

/** `GET /v1/jobs/{id}/playback`: signed links to play a succeeded job (409 before it succeeded). */
export const PlaybackSchema = Type.Object(
  {
    hls: Type.Optional(Type.String({ description: 'Signed URL of the HLS master playlist' })),
    mp4: Type.Optional(Type.String({ description: 'Signed URL of the MP4 rendition' })),
    poster: Type.Optional(Type.String({ description: 'Signed URL of the poster frame' })),
    storyboard: Type.Optional(
      Type.Object({
        vtt: Type.String({ description: 'Signed URL of the thumbnails WebVTT' }),
        images: Type.Array(Type.String(), { description: 'Signed URLs of the sprite sheets' }),
      }),
    ),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Playback' },
);
export type Playback = Static<typeof PlaybackSchema>;
