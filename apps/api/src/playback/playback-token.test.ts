import { newJobId } from '@media-server/jobs';
import { describe, expect, it } from 'vitest';
import { PlaybackForbiddenError } from './playback-error.ts';
import { signPlaybackToken, verifyPlaybackToken } from './playback-token.ts';

const SECRET = 'a-playback-secret-of-at-least-32-chars';
const NOW = Date.parse('2026-12-06T12:00:00Z');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof PlaybackForbiddenError ? error.code : `unexpected ${String(error)}`;
  }
  return undefined;
}

describe('playback tokens', () => {
  const grant = { jobId: newJobId(), expiresAt: NOW / 1000 + 60 };

  it('verifies its own token and returns the grant', () => {
    const token = signPlaybackToken(grant, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyPlaybackToken(token, SECRET, NOW)).toEqual(grant);
  });

  it('refuses every single-character change of the token', () => {
    const token = signPlaybackToken(grant, SECRET);
    for (let index = 0; index < token.length; index += 1) {
      const changed = `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;
      expect(
        codeOf(() => verifyPlaybackToken(changed, SECRET, NOW)),
        `index ${index}`,
      ).toBe('PLAYBACK_TOKEN_INVALID');
    }
  });

  it('refuses another secret, garbage, and a signed payload that is not a job id', () => {
    const token = signPlaybackToken(grant, SECRET);
    expect(codeOf(() => verifyPlaybackToken(token, `${SECRET}x`, NOW))).toBe('PLAYBACK_TOKEN_INVALID');
    expect(codeOf(() => verifyPlaybackToken('', SECRET, NOW))).toBe('PLAYBACK_TOKEN_INVALID');
    expect(codeOf(() => verifyPlaybackToken('a.b.c', SECRET, NOW))).toBe('PLAYBACK_TOKEN_INVALID');
    const notAJob = signPlaybackToken({ jobId: '../other', expiresAt: grant.expiresAt }, SECRET);
    expect(codeOf(() => verifyPlaybackToken(notAJob, SECRET, NOW))).toBe('PLAYBACK_TOKEN_INVALID');
  });

  it('expires at expiresAt', () => {
    const token = signPlaybackToken(grant, SECRET);
    expect(codeOf(() => verifyPlaybackToken(token, SECRET, grant.expiresAt * 1000 - 1))).toBeUndefined();
    expect(codeOf(() => verifyPlaybackToken(token, SECRET, grant.expiresAt * 1000))).toBe(
      'PLAYBACK_TOKEN_EXPIRED',
    );
  });
});
