import {
  ApiError,
  ConnectionError,
  MediaServerError,
  UploadPartError,
  UploadSourceError,
} from '@media-server/client';
import { CliError } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import type { Output } from './format.ts';

/** One clear line on stderr for any error, never a stack trace; answers the exit code. */
export function reportError(output: Output, error: unknown): ExitCode {
  const [message, code] = describe(error);
  output.stderr.write(`media-server: ${message}\n`);
  return code;
}

function describe(error: unknown): [string, ExitCode] {
  if (error instanceof CliError) return [error.message, error.exitCode];
  if (error instanceof UploadSourceError) return [error.message, EXIT.usage];
  if (error instanceof ConnectionError) return [error.message, EXIT.unreachable];
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) {
      return [`the API refused the key (${error.status}): ${error.message}`, EXIT.usage];
    }
    if (error.status >= 500) return [`the API failed (${error.status}): ${error.message}`, EXIT.unreachable];
    return [`the API said ${error.status}: ${error.message}`, EXIT.usage];
  }
  if (error instanceof UploadPartError) return [`upload failed: ${error.message}`, EXIT.unreachable];
  if (error instanceof MediaServerError) return [error.message, EXIT.unreachable];
  if (error instanceof Error) return [`unexpected error: ${error.message}`, EXIT.jobFailed];
  return [`unexpected error: ${String(error)}`, EXIT.jobFailed];
}
