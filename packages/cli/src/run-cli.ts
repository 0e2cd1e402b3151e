import { createClient, type MediaServerClient, type Mp4Mode, PRESET_NAMES } from '@media-server/client';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  deleteJobCommand,
  getJobCommand,
  listJobsCommand,
  playbackCommand,
  watchJobCommand,
} from './commands/jobs.ts';
import { uploadCommand } from './commands/upload.ts';
import { loadConfig } from './config.ts';
import { CliError } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { createOutput, type Output } from './format.ts';
import { parsePresets } from './presets.ts';
import { reportError } from './report-error.ts';

/** What {@link runCli} reads and writes, in place of the process's own. */
export interface CliIo {
  /** Results: text, or JSON with `--json`. Progress bars and colours only when `isTTY` is true. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** Messages and errors, one line each. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * The environment: `MEDIA_SERVER_URL`, `MEDIA_SERVER_API_KEY`, `MEDIA_SERVER_CONFIG`, `XDG_CONFIG_HOME`,
   * `HOME`, `NO_COLOR` and `TERM` are read.
   */
  env: Record<string, string | undefined>;
  /** Aborts the running command (Ctrl-C): uploads in flight are aborted, the exit code is 130. */
  signal: AbortSignal;
}

interface GlobalOptions {
  url?: string;
  apiKey?: string;
  config?: string;
  json?: boolean;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return number;
}

/**
 * Runs `media-server` with `argv` (the arguments after the command name) and answers the exit code:
 * 0 done, 1 a job failed, 2 usage or configuration error, 3 API unreachable, 130 interrupted (see
 * {@link EXIT}). It never throws: every error becomes one line on `io.stderr` and its exit code.
 *
 * @example
 * ```ts
 * import { runCli } from '@media-server/cli';
 *
 * process.exitCode = await runCli(['jobs', 'ls', '--json'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 *   signal: AbortSignal.timeout(60_000),
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  let output = createOutput(io, io.env, argv.includes('--json'));
  const program = new Command('media-server')
    .description('Upload media to a media-server API and follow its jobs.')
    .addOption(new Option('--url <url>', 'API URL (or MEDIA_SERVER_URL, or "url" in the config file)'))
    .addOption(
      new Option('--api-key <key>', 'API key (or MEDIA_SERVER_API_KEY, or "apiKey" in the config file)'),
    )
    .addOption(
      new Option(
        '--config <file>',
        'config file (or MEDIA_SERVER_CONFIG; default ~/.config/media-server/config.json)',
      ),
    )
    .option('--json', 'print machine-readable results only')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`media-server: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 job failed, 2 usage or configuration error, 3 API unreachable, 130 interrupted.',
    );

  const withClient =
    <A extends unknown[]>(
      run: (client: MediaServerClient, output: Output, ...args: A) => Promise<ExitCode>,
    ) =>
    async (...args: A): Promise<void> => {
      const globals = program.opts<GlobalOptions>();
      output = createOutput(io, io.env, globals.json === true);
      const config = loadConfig({
        flags: { url: globals.url, apiKey: globals.apiKey, config: globals.config },
        env: io.env,
      });
      const client = createClient({ baseUrl: config.url, apiKey: config.apiKey });
      code = await run(client, output, ...args);
    };

  program
    .command('upload')
    .description('upload files, one progress bar each; with --wait follow their jobs to the end')
    .argument('<files...>', 'files to upload')
    .option(
      '--presets <list>',
      `comma-separated processing to run (${PRESET_NAMES.join(', ')}); default: what fits`,
    )
    .addOption(
      new Option(
        '--mp4 <mode>',
        'with mp4 and hls: "shared" remuxes the top HLS rung, "separate" encodes the MP4 on its own (about twice the CPU)',
      ).choices(['shared', 'separate']),
    )
    .option('--wait', 'follow each job to its end and print its playback and download links')
    .option('--parallel <n>', 'files uploaded at the same time', positiveInteger, 3)
    .option('--concurrency <n>', 'parts of one file sent at the same time', positiveInteger, 4)
    .action(
      withClient(
        async (
          client,
          out,
          files: string[],
          options: {
            presets?: string;
            mp4?: Mp4Mode;
            wait?: boolean;
            parallel: number;
            concurrency: number;
          },
        ) =>
          uploadCommand(
            client,
            out,
            files,
            {
              presets: parsePresets(options.presets),
              mp4: options.mp4,
              wait: options.wait === true,
              parallel: options.parallel,
              concurrency: options.concurrency,
            },
            io.signal,
          ),
      ),
    );

  const jobs = program.command('jobs').description('list, show, follow and delete jobs');
  jobs
    .command('ls')
    .description('list jobs, newest first')
    .option('--limit <n>', 'jobs per page (1-100)', positiveInteger)
    .option('--cursor <cursor>', 'the next page (printed after a full page)')
    .action(
      withClient((client, out, options: { limit?: number; cursor?: string }) =>
        listJobsCommand(client, out, { limit: options.limit, cursor: options.cursor }, io.signal),
      ),
    );
  jobs
    .command('get')
    .description('show a job: state, error, playback and download links')
    .argument('<id>', 'job id')
    .action(withClient((client, out, id: string) => getJobCommand(client, out, id, io.signal)));
  jobs
    .command('watch')
    .description('follow a job to its end (exit 0 succeeded, 1 failed)')
    .argument('<id>', 'job id')
    .action(withClient((client, out, id: string) => watchJobCommand(client, out, id, io.signal)));
  jobs
    .command('rm')
    .description('delete a job and its files')
    .argument('<id>', 'job id')
    .option('--force', 'delete even while a worker is processing it')
    .action(
      withClient((client, out, id: string, options: { force?: boolean }) =>
        deleteJobCommand(client, out, id, { force: options.force === true }, io.signal),
      ),
    );
  program
    .command('playback')
    .description('signed links to play a succeeded job (HLS, MP4, poster, storyboard)')
    .argument('<id>', 'job id')
    .action(withClient((client, out, id: string) => playbackCommand(client, out, id, io.signal)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (io.signal.aborted) return reportError(output, new CliError('INTERRUPTED', 'interrupted'));
    return reportError(output, error);
  }
}
