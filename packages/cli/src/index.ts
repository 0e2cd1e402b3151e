export { EXIT, type ExitCode } from './exit-codes.ts';
export { type CliIo, runCli } from './run-cli.ts';
