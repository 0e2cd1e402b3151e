export { type CliConfig, type ConfigSources, defaultConfigPath, loadConfig } from './config.ts';
export { CliError, type CliErrorCode } from './errors.ts';
export { EXIT, type ExitCode } from './exit-codes.ts';
export { type CliIo, runCli } from './run-cli.ts';
