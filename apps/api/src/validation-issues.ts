/** One schema validation failure as Fastify hands it over (an Ajv error object). */
export interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** A validation failure as the problem document lists it. */
export interface ValidationError {
  path: string;
  message: string;
}

/**
 * Ajv's issues as `{ path, message }`, with a union of constants (`'shared' | 'separate'`, a preset name) told
 * as one `must be one of: shared, separate` instead of one `must be equal to constant` per branch and a
 * closing `must match a schema in anyOf`.
 */
export function describeValidationIssues(issues: ValidationIssue[], context: string): ValidationError[] {
  // Paths where an anyOf failed, with the constants its branches allowed.
  const allowedAt = new Map<string, unknown[]>();
  for (const issue of issues) {
    if (issue.keyword === 'anyOf') allowedAt.set(issue.instancePath ?? '', []);
  }
  for (const issue of issues) {
    if (issue.keyword === 'const') allowedAt.get(issue.instancePath ?? '')?.push(issue.params?.allowedValue);
  }
  const errors: ValidationError[] = [];
  for (const issue of issues) {
    const at = issue.instancePath ?? '';
    const allowed = allowedAt.get(at) ?? [];
    if (allowed.length > 0 && issue.keyword === 'const') continue;
    const message =
      allowed.length > 0 && issue.keyword === 'anyOf'
        ? `must be one of: ${allowed.map((value) => String(value)).join(', ')}`
        : (issue.message ?? 'is invalid');
    errors.push({ path: `${context}${at}`, message });
  }
  return errors;
}
