import { type Static, type TObject, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';

type Env = Record<string, string | undefined>;

/** The fields of a variable's schema that {@link readEnvironment} reads. */
type EnvSchema = TSchema & {
  type?: string;
  items?: TSchema;
  default?: unknown;
  aliases?: string[];
  expected?: string;
  secret?: boolean;
};

/** What a variable's schema may carry besides its type, constraints and `default`. */
interface EnvOptions {
  /** Older names read when the documented one (the property's key) is unset, in order. */
  aliases?: string[];
  /** What the meaning is, for readers of the schema (the README says the same). */
  description?: string;
  /** A problem line gives the value's length, never the value. */
  secret?: boolean;
}

/**
 * Schemas of environment variables, for {@link readEnvironment}. Each is a TypeBox schema of the decoded
 * value (a number, a boolean, a list…) with an `expected` text that completes the problem line
 * `NAME must be <expected>, got "<value>"`.
 * @example
 * const WorkerEnv = Type.Object({
 *   WORKER_HTTP_PORT: EnvVar.integer({ default: 3001, minimum: 0, maximum: 65_535 }),
 *   WORKER_LIVE_HLS: EnvVar.boolean({ default: true }),
 * });
 */
export const EnvVar = {
  /** An integer in [minimum, maximum]. */
  integer(options: EnvOptions & { default?: number; minimum: number; maximum?: number }) {
    const maximum = options.maximum ?? Number.MAX_SAFE_INTEGER;
    return Type.Integer({
      ...options,
      maximum,
      expected: `an integer from ${options.minimum} to ${maximum}`,
    });
  },
  /** `true` or `false`. */
  boolean(options: EnvOptions & { default?: boolean }) {
    return Type.Boolean({ ...options, expected: 'true or false' });
  },
  /** One of a few words. */
  oneOf<const Value extends string>(
    values: readonly Value[],
    options: EnvOptions & { default?: Value } = {},
  ) {
    const listed =
      values.length > 3
        ? `one of ${values.join(', ')}`
        : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
    return Type.Enum([...values] as Value[], { ...options, expected: listed });
  },
  /** Any non-empty text, or text that passes `check` (described by `expected`). */
  string(
    options: EnvOptions & { default?: string; check?: (value: string) => boolean; expected?: string } = {},
  ) {
    const { check, ...rest } = options;
    const schema = Type.String({ ...rest, minLength: 1, expected: options.expected ?? 'non-empty text' });
    return check === undefined ? schema : Type.Refine(schema, check);
  },
  /** An http(s) URL. */
  url(options: EnvOptions = {}) {
    return EnvVar.string({ ...options, check: isHttpUrl, expected: 'an http(s) URL' });
  },
  /** A comma-separated list (items trimmed, empty ones dropped), each item matching `item`. */
  list<Item extends TSchema>(item: Item, options: EnvOptions & { default?: Static<Item>[] } = {}) {
    return Type.Array(item, {
      ...options,
      expected: `a comma-separated list of ${(item as EnvSchema).expected ?? 'items'}`,
    });
  },
};

/** What {@link readEnvironment} found: the values (defaults where unset) and one line per bad variable. */
export interface EnvReading<Schema extends TObject> {
  values: Static<Schema>;
  problems: string[];
}

/**
 * Reads every variable `schema` declares from `env`: the property's key is the documented name, its
 * `aliases` are read when it is unset, an empty or blank value counts as unset (then `default` applies, or
 * the value is absent). A set value is decoded from text as its schema says and checked; a bad one is
 * reported as `NAME must be <expected>, got "<value>"` (a `secret` one by its length) and left at its default, so that a caller can
 * report every problem at once.
 * @example
 * const { values, problems } = readEnvironment(process.env, WorkerEnv);
 * if (problems.length > 0) throw new ConfigError(problems);
 */
export function readEnvironment<Schema extends TObject>(env: Env, schema: Schema): EnvReading<Schema> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties) as [string, EnvSchema][]) {
    const aliases = property.aliases ?? [];
    const raw = readEnv(env, name, ...aliases);
    const fallback = property.default;
    if (raw === undefined) {
      if (fallback !== undefined) values[name] = structuredClone(fallback);
      continue;
    }
    const decoded = decode(property, raw);
    if (Value.Check(property, decoded)) {
      values[name] = decoded;
      continue;
    }
    const got = property.secret === true ? `${raw.length} characters` : `"${raw}"`;
    problems.push(
      `${name} must be ${property.expected ?? 'valid'}, got ${got}${rejectedItems(property, decoded)}`,
    );
    if (fallback !== undefined) values[name] = structuredClone(fallback);
  }
  return { values: values as Static<Schema>, problems };
}

/** The first of `names` that is set (non-blank) in `env`, trimmed. */
export function readEnv(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The text of a variable as its schema's type: numbers, booleans and lists are decoded, others kept. */
function decode(schema: EnvSchema, raw: string): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const value = Number(raw);
      return Number.isFinite(value) ? value : raw;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    default:
      return raw;
  }
}

/** For a list: `; not: a, b` naming the items that failed their schema. */
function rejectedItems(schema: EnvSchema, decoded: unknown): string {
  const item = schema.items;
  if (schema.type !== 'array' || item === undefined || !Array.isArray(decoded)) return '';
  const bad = decoded.filter((value) => !Value.Check(item, value));
  return bad.length === 0 ? '' : `; not: ${bad.join(', ')}`;
}
