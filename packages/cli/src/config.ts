import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.ts';

export interface CliConfig {
  url: string;
  apiKey: string;
}

export interface ConfigSources {
  /** `--url`, `--api-key`, `--config`. */
  flags: { url?: string | undefined; apiKey?: string | undefined; config?: string | undefined };
  env: Record<string, string | undefined>;
}

/** Where the config file is looked for when neither `--config` nor `MEDIA_SERVER_CONFIG` names one. */
export function defaultConfigPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'media-server', 'config.json');
}

/**
 * The API's URL and key: from the flags, then `MEDIA_SERVER_URL` / `MEDIA_SERVER_API_KEY`, then the
 * config file (`{"url": "...", "apiKey": "..."}`).
 */
export function loadConfig(sources: ConfigSources): CliConfig {
  const named = sources.flags.config ?? sources.env.MEDIA_SERVER_CONFIG;
  const path = named ?? defaultConfigPath(sources.env);
  const file = readConfigFile(path, named !== undefined);
  const url = sources.flags.url ?? sources.env.MEDIA_SERVER_URL ?? file.url;
  const apiKey = sources.flags.apiKey ?? sources.env.MEDIA_SERVER_API_KEY ?? file.apiKey;
  if (url === undefined || url === '') {
    throw new CliError('CONFIG', `no API URL: pass --url, set MEDIA_SERVER_URL, or put "url" in ${path}`);
  }
  if (!/^https?:\/\/[^/]/.test(url))
    throw new CliError('CONFIG', `the API URL "${url}" is not an http(s) URL`);
  if (apiKey === undefined || apiKey === '') {
    throw new CliError(
      'CONFIG',
      `no API key: pass --api-key, set MEDIA_SERVER_API_KEY, or put "apiKey" in ${path}`,
    );
  }
  return { url, apiKey };
}

function readConfigFile(path: string, required: boolean): { url?: string; apiKey?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as { code?: string }).code === 'ENOENT') return {};
    throw new CliError(
      'CONFIG',
      `cannot read the config file ${path} (${(error as { code?: string }).code})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('CONFIG', `the config file ${path} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new CliError('CONFIG', `the config file ${path} must hold an object {"url", "apiKey"}`);
  }
  const { url, apiKey } = parsed as Record<string, unknown>;
  if (
    (url !== undefined && typeof url !== 'string') ||
    (apiKey !== undefined && typeof apiKey !== 'string')
  ) {
    throw new CliError('CONFIG', `in ${path}, "url" and "apiKey" must be strings`);
  }
  return { ...(url === undefined ? {} : { url }), ...(apiKey === undefined ? {} : { apiKey }) };
}
