import { EXIT, type ExitCode } from './exit-codes.ts';

/** `USAGE`: bad arguments; `CONFIG`: no usable URL or key; `INTERRUPTED`: Ctrl-C. */
export type CliErrorCode = 'USAGE' | 'CONFIG' | 'INTERRUPTED';

/** An error the command reports as one line and an exit code (internal: `runCli` never throws). */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: CliErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = code === 'INTERRUPTED' ? EXIT.interrupted : EXIT.usage;
  }
}
