export type JobsErrorCode = 'CONFIG_INVALID' | 'JOB_DOCUMENT_INVALID' | 'JOB_UPDATE_CONFLICT';

/** The base of every error this package throws; `code` says which. */
export class JobsError extends Error {
  readonly code: JobsErrorCode;
  constructor(code: JobsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JobsError';
    this.code = code;
  }
}

/** A spec.json or status.json that is not valid JSON or does not match its schema. */
export class JobDocumentError extends JobsError {
  readonly key: string;
  constructor(key: string, detail: string, options?: ErrorOptions) {
    super('JOB_DOCUMENT_INVALID', `${key}: ${detail}`, options);
    this.name = 'JobDocumentError';
    this.key = key;
  }
}

/** Optimistic updates kept losing to concurrent writers. */
export class JobUpdateConflictError extends JobsError {
  constructor(jobId: string, attempts: number) {
    super('JOB_UPDATE_CONFLICT', `status of job ${jobId} changed under ${attempts} consecutive updates`);
    this.name = 'JobUpdateConflictError';
  }
}

/** One or more environment variables are missing or invalid; `problems` has one line per variable. */
export class ConfigError extends JobsError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
