import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { EnvVar, readEnvironment } from './env-schema.ts';

const Schema = Type.Object({
  PORT: EnvVar.integer({ default: 3000, minimum: 0, maximum: 65_535 }),
  LIVE: EnvVar.boolean({ default: true }),
  MODE: Type.Optional(EnvVar.oneOf(['required', 'auto', 'off'])),
  LEVEL: EnvVar.oneOf(['fatal', 'error', 'warn', 'info'], { default: 'info' }),
  BUCKET: Type.Optional(EnvVar.string({ aliases: ['OLD_BUCKET'] })),
  SCHEDULE: EnvVar.string({
    default: 'off',
    check: (value) => value === 'off' || value.includes(' '),
    expected: 'a cron expression or "off"',
  }),
  ENDPOINT: Type.Optional(EnvVar.url()),
  SECRET: Type.Optional(
    EnvVar.string({ check: (value) => value.length >= 8, expected: 'at least 8 characters', secret: true }),
  ),
  KINDS: EnvVar.list(EnvVar.oneOf(['mp4', 'hls']), { default: ['mp4'] }),
});

describe('readEnvironment', () => {
  it('unset or blank variables take their defaults; optional ones stay absent', () => {
    // Act
    const { values, problems } = readEnvironment({ PORT: '  ', LIVE: '' }, Schema);

    // Assess
    expect(problems).toEqual([]);
    expect(values).toEqual({ PORT: 3000, LIVE: true, LEVEL: 'info', SCHEDULE: 'off', KINDS: ['mp4'] });
  });

  it('decodes integers, booleans, words, URLs and lists from their text; aliases count when the name is unset', () => {
    // Act
    const { values, problems } = readEnvironment(
      {
        PORT: ' 8080 ',
        LIVE: 'false',
        MODE: 'auto',
        LEVEL: 'warn',
        OLD_BUCKET: 'legacy',
        SCHEDULE: '0 * * * * *',
        ENDPOINT: 'http://127.0.0.1:4567',
        KINDS: 'hls, mp4,,',
      },
      Schema,
    );

    // Assess
    expect(problems).toEqual([]);
    expect(values).toEqual({
      PORT: 8080,
      LIVE: false,
      MODE: 'auto',
      LEVEL: 'warn',
      BUCKET: 'legacy',
      SCHEDULE: '0 * * * * *',
      ENDPOINT: 'http://127.0.0.1:4567',
      KINDS: ['hls', 'mp4'],
    });
  });

  it('the documented name wins over an alias', () => {
    expect(readEnvironment({ BUCKET: 'new', OLD_BUCKET: 'old' }, Schema).values.BUCKET).toBe('new');
  });

  it('names every bad variable in one line each, saying what it must be and what it got', () => {
    // Act
    const { values, problems } = readEnvironment(
      {
        PORT: '70000',
        LIVE: 'yes',
        MODE: 'sometimes',
        LEVEL: 'loud',
        SCHEDULE: 'often',
        ENDPOINT: 'ftp://x',
        KINDS: 'mp4,gif,webm',
        SECRET: 'hunter2',
      },
      Schema,
    );

    // Assess
    expect(problems).toEqual([
      'PORT must be an integer from 0 to 65535, got "70000"',
      'LIVE must be true or false, got "yes"',
      'MODE must be required, auto or off, got "sometimes"',
      'LEVEL must be one of fatal, error, warn, info, got "loud"',
      'SCHEDULE must be a cron expression or "off", got "often"',
      'ENDPOINT must be an http(s) URL, got "ftp://x"',
      'SECRET must be at least 8 characters, got 7 characters',
      'KINDS must be a comma-separated list of mp4 or hls, got "mp4,gif,webm"; not: gif, webm',
    ]);
    // Bad values fall back to their defaults (the caller throws on the problems anyway).
    expect(values.PORT).toBe(3000);
    expect(values.MODE).toBeUndefined();
  });

  it('refuses a fractional or non-numeric integer', () => {
    expect(readEnvironment({ PORT: '80.5' }, Schema).problems).toHaveLength(1);
    expect(readEnvironment({ PORT: 'eighty' }, Schema).problems).toHaveLength(1);
  });
});
