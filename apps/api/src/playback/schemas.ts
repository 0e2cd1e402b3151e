import { JobIdSchema } from '@media-server/jobs';
import { Type } from 'typebox';

/**
 * The playback routes' schemas (request validation, handler types and the OpenAPI document). The answer
 * of `GET /v1/jobs/{id}/playback` is part of the client's contract (`@media-server/client/contract`).
 */
export { type Playback, PlaybackSchema } from '@media-server/client/contract';

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
