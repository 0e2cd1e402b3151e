/** Maps one URI found in a playlist (as written there) to the URI to serve instead. */
export type UriMapper = (uri: string) => string;

const URI_ATTRIBUTE = /\bURI="([^"]*)"/g;

/**
 * Rewrites every URI of an HLS playlist (master or media): plain URI lines (variant playlists,
 * segments) and `URI="…"` attributes (`EXT-X-MAP`, `EXT-X-MEDIA`, `EXT-X-I-FRAME-STREAM-INF`,
 * `EXT-X-KEY`, `EXT-X-SESSION-DATA`…). Other lines are kept as they are.
 *
 * @example
 * ```ts
 * rewritePlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg_1.m4s\n', (uri) => `https://cdn/${uri}`);
 * // '#EXTM3U\n#EXT-X-MAP:URI="https://cdn/init.mp4"\nhttps://cdn/seg_1.m4s\n'
 * ```
 */
export function rewritePlaylist(text: string, map: UriMapper): string {
  return text
    .split(/(\r?\n)/)
    .map((line) => {
      if (line === '\n' || line === '\r\n') return line;
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) {
        return line.replace(URI_ATTRIBUTE, (_whole, uri: string) => `URI="${map(uri)}"`);
      }
      return map(trimmed);
    })
    .join('');
}

/**
 * Rewrites the image URIs of a WebVTT storyboard (cue payloads such as `sprite.jpg#xywh=0,0,160,90`),
 * keeping each media fragment: the mapper gets the URI without its fragment.
 *
 * @example
 * ```ts
 * rewriteStoryboardVtt('WEBVTT\n\n00:00.000 --> 00:05.000\nsprite.jpg#xywh=0,0,160,90\n', (u) => `/x/${u}`);
 * // 'WEBVTT\n\n00:00.000 --> 00:05.000\n/x/sprite.jpg#xywh=0,0,160,90\n'
 * ```
 */
export function rewriteStoryboardVtt(text: string, map: UriMapper): string {
  const lines = text.split(/(\r?\n)/);
  let inCue = false;
  return lines
    .map((line) => {
      if (line === '\n' || line === '\r\n') return line;
      if (line.trim() === '') {
        inCue = false;
        return line;
      }
      if (line.includes('-->')) {
        inCue = true;
        return line;
      }
      if (!inCue) return line;
      const uri = line.trim();
      const hash = uri.indexOf('#');
      return hash === -1 ? map(uri) : `${map(uri.slice(0, hash))}${uri.slice(hash)}`;
    })
    .join('');
}

/** The image URIs a storyboard's cues name (without fragments), each once, in order of appearance. */
export function storyboardImages(text: string): string[] {
  const images: string[] = [];
  rewriteStoryboardVtt(text, (uri) => {
    if (!images.includes(uri)) images.push(uri);
    return uri;
  });
  return images;
}
