import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultConfigPath, loadConfig } from './config.ts';
import { CliError } from './errors.ts';

describe('configuration: flags, then environment, then the config file', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-config-'));
    file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ url: 'http://file:3000', apiKey: 'file-key' }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('each source fills what the ones before leave open', () => {
    const env = { MEDIA_SERVER_URL: 'http://env:3000', MEDIA_SERVER_CONFIG: file };

    expect(loadConfig({ flags: {}, env })).toEqual({ url: 'http://env:3000', apiKey: 'file-key' });
    expect(loadConfig({ flags: { apiKey: 'flag-key' }, env })).toEqual({
      url: 'http://env:3000',
      apiKey: 'flag-key',
    });
    expect(loadConfig({ flags: { url: 'https://flag', config: file }, env: {} })).toEqual({
      url: 'https://flag',
      apiKey: 'file-key',
    });
  });

  test('the default file is under XDG_CONFIG_HOME, else ~/.config', async () => {
    const xdg = join(dir, 'xdg');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: xdg })).toBe(join(xdg, 'media-server', 'config.json'));
    expect(defaultConfigPath({ HOME: '/home/someone' })).toBe(
      '/home/someone/.config/media-server/config.json',
    );
  });

  test('missing or bad values are configuration errors (exit 2) that say where to put them', async () => {
    const notJson = join(dir, 'bad.json');
    await writeFile(notJson, '{url:');

    const cases: Array<[Parameters<typeof loadConfig>[0], RegExp]> = [
      [{ flags: {}, env: { HOME: dir } }, /no API URL: pass --url, set MEDIA_SERVER_URL, or put "url" in/],
      [{ flags: { url: 'http://x' }, env: { HOME: dir } }, /no API key: pass --api-key/],
      [{ flags: { url: 'ftp://x', apiKey: 'k' }, env: { HOME: dir } }, /not an http\(s\) URL/],
      [{ flags: { config: notJson }, env: {} }, /is not JSON/],
      [{ flags: { config: join(dir, 'none.json') }, env: {} }, /cannot read the config file .*ENOENT/],
    ];
    for (const [sources, message] of cases) {
      let caught: unknown;
      try {
        loadConfig(sources);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
      expect((caught as Error).message).toMatch(message);
    }
  });
});
