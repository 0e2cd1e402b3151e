import { describe, expect, it } from 'vitest';
import { resolveOutputKey } from './output-key.ts';
import { PlaybackForbiddenError } from './playback-error.ts';
import { rewritePlaylist, rewriteStoryboardVtt, storyboardImages } from './rewrite-playlist.ts';

const mark = (uri: string): string => `<${uri}>`;

describe('rewritePlaylist', () => {
  it('rewrites URI lines and every URI="…" attribute, keeping the rest byte for byte', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="audio/en.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud"',
      '360p.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="360p_iframes.m3u8"',
      '',
    ].join('\r\n');

    expect(rewritePlaylist(master, mark)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="<audio/en.m3u8>"',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud"',
        '<360p.m3u8>',
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="<360p_iframes.m3u8>"',
        '',
      ].join('\r\n'),
    );
  });

  it('rewrites the init segment of EXT-X-MAP and every media segment', () => {
    const media =
      '#EXTM3U\n#EXT-X-MAP:URI="360p_init.mp4"\n#EXTINF:4.000000,\n360p_00000.m4s\n#EXT-X-ENDLIST\n';

    expect(rewritePlaylist(media, mark)).toBe(
      '#EXTM3U\n#EXT-X-MAP:URI="<360p_init.mp4>"\n#EXTINF:4.000000,\n<360p_00000.m4s>\n#EXT-X-ENDLIST\n',
    );
  });
});

describe('rewriteStoryboardVtt', () => {
  const vtt =
    'WEBVTT\n\nNOTE made by sprite\n\n1\n00:00:00.000 --> 00:00:05.000\nsprite-0.jpg#xywh=0,0,160,90\n\n' +
    '00:00:05.000 --> 00:00:10.000\nsprite-1.jpg#xywh=160,0,160,90\n';

  it('rewrites cue image URIs, keeping the #xywh fragment, and nothing else', () => {
    expect(rewriteStoryboardVtt(vtt, mark)).toBe(
      'WEBVTT\n\nNOTE made by sprite\n\n1\n00:00:00.000 --> 00:00:05.000\n<sprite-0.jpg>#xywh=0,0,160,90\n\n' +
        '00:00:05.000 --> 00:00:10.000\n<sprite-1.jpg>#xywh=160,0,160,90\n',
    );
  });

  it('lists the sheets a storyboard names, each once', () => {
    expect(
      storyboardImages(`${vtt}\n00:00:10.000 --> 00:00:15.000\nsprite-0.jpg#xywh=0,90,160,90\n`),
    ).toEqual(['sprite-0.jpg', 'sprite-1.jpg']);
  });
});

describe('resolveOutputKey', () => {
  const jobId = '01kbxk7m2v8n3p4q5r6s7t8v9w';
  const from = `outputs/${jobId}/hls/master.m3u8`;

  it('resolves relative URIs against the playlist key, percent-decoded, without query or fragment', () => {
    expect(resolveOutputKey(jobId, from, '360p.m3u8')).toBe(`outputs/${jobId}/hls/360p.m3u8`);
    expect(resolveOutputKey(jobId, from, '../sprite/a%20b.jpg#xywh=1,2,3,4')).toBe(
      `outputs/${jobId}/sprite/a b.jpg`,
    );
  });

  it('refuses what leaves outputs/<jobId>/', () => {
    for (const uri of [
      '../../other/hls/master.m3u8',
      '../../../jobs/x/status.json',
      '/media/outputs/x.m4s',
      '..%2F..%2Fother%2Fx.m4s',
      '..',
      '',
      '%E0%A4%A',
    ]) {
      expect(() => resolveOutputKey(jobId, from, uri), uri).toThrow(PlaybackForbiddenError);
    }
  });
});
