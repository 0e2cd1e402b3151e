import { invalid, invalidParameter, missingParameter } from './errors.ts';
import type { ActionInput } from './model.ts';

/** A required non-empty string parameter. */
export function requiredString(input: ActionInput, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameter(name, JSON.stringify(value), 'Must be a string.');
  return value;
}

/** An optional string parameter. */
export function optionalString(input: ActionInput, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, JSON.stringify(value), 'Must be a string.');
  return value;
}

/** An optional integer parameter within [min, max] (numeric strings accepted, as the query protocol sends). */
export function optionalInteger(
  input: ActionInput,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw invalidParameter(
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
      `Must be between ${min} and ${max}, if provided.`,
    );
  }
  return number;
}

/** A required integer parameter within [min, max]. */
export function requiredInteger(input: ActionInput, name: string, min: number, max: number): number {
  const value = optionalInteger(input, name, min, max);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/** An optional list of strings. */
export function stringList(input: ActionInput, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid('InvalidParameterValue', `The parameter ${name} must be a list of strings.`);
  }
  return value as string[];
}

/** An optional map of string to string. */
export function stringMap(input: ActionInput, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('InvalidParameterValue', `The parameter ${name} must be a map of strings.`);
  }
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw invalid('InvalidParameterValue', `The value of ${name}.${key} must be a string.`);
    }
    result[key] = String(item);
  }
  return result;
}

/** A list of objects (batch entries). */
export function objectList(input: ActionInput, name: string): ActionInput[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))
  ) {
    throw invalid('InvalidParameterValue', `The parameter ${name} must be a list of objects.`);
  }
  return value as ActionInput[];
}
