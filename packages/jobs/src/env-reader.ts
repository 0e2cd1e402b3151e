import { type AwsSettings, loadAwsSettings, readEnv } from './aws-config.ts';
import { ConfigError } from './errors.ts';

type Env = Record<string, string | undefined>;

/**
 * Reads an app's settings from the environment, collecting one clear message per bad value instead of
 * stopping at the first, so that `done()` can report them all in one {@link ConfigError}.
 */
export class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  /** The first of `names` that is set, or undefined. */
  string(...names: string[]): string | undefined {
    return readEnv(this.#env, ...names);
  }

  /** The shared AWS settings; undefined (and the problems recorded) when they are invalid. */
  aws(): AwsSettings | undefined {
    try {
      return loadAwsSettings(this.#env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.problems.push(...error.problems);
      return undefined;
    }
  }

  /** An integer in [min, max]; `fallback` when unset, and a recorded problem when it is anything else. */
  integer(name: string, fallback: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  /** A comma-separated list without empty items; `fallback` when unset. */
  list(name: string, fallback: string[]): string[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** Throws a ConfigError listing every recorded problem, if any. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
