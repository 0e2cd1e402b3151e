#!/usr/bin/env node
import { resolve } from 'node:path';
import { LocalAwsError } from './local-aws-error.ts';
import { CLI_USAGE, type CliCommand, parseCliArgs } from './parse-cli-args.ts';
import { type LocalAws, type LocalAwsOptions, startLocalAws } from './start-local-aws.ts';

const EXIT_USAGE = 2;

function queueNames(options: LocalAwsOptions): string[] {
  const names = new Set<string>();
  for (const queue of options.queues ?? []) {
    if (queue.deadLetter) names.add(queue.deadLetter.name);
    names.add(queue.name);
  }
  return [...names];
}

function envName(queue: string): string {
  return `QUEUE_URL_${queue
    .replace(/\.fifo$/, '_FIFO')
    .replace(/[^A-Za-z0-9]/g, '_')
    .toUpperCase()}`;
}

function summary(aws: LocalAws, options: LocalAwsOptions): string {
  const queues = queueNames(options);
  const lines = [
    `local-aws is running (${options.dataDir ? `data in ${resolve(options.dataDir)}` : 'in memory: nothing is kept after stop'})`,
    `  SQS  ${aws.sqsEndpoint}`,
    `  S3   ${aws.s3Endpoint}  (path-style: set forcePathStyle: true in S3 clients)`,
  ];
  if (queues.length > 0) {
    lines.push('Queues:');
    for (const name of queues) lines.push(`  ${name}  ${aws.queueUrl(name)}`);
  }
  if (options.buckets?.length) lines.push(`Buckets: ${options.buckets.join(', ')}`);
  for (const n of options.notifications ?? []) {
    const filter = `${n.prefix ?? ''}*${n.suffix ?? ''}`;
    lines.push(
      `Notify: s3://${n.bucket}/${filter} -> ${n.queue} (${(n.events ?? ['s3:ObjectCreated:*']).join(', ')})`,
    );
  }
  lines.push('', 'Environment:');
  for (const [key, value] of Object.entries(aws.env())) lines.push(`export ${key}=${value}`);
  for (const name of queues) lines.push(`export ${envName(name)}=${aws.queueUrl(name)}`);
  lines.push('', 'Press Ctrl+C to stop.');
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`local-aws: ${(error as Error).message}\nRun "local-aws --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (command.command === 'help') {
    process.stdout.write(CLI_USAGE);
    return 0;
  }

  let aws: LocalAws;
  try {
    aws = await startLocalAws(command.options);
  } catch (error) {
    process.stderr.write(`local-aws: ${(error as Error).message}\n`);
    // A request the embedded SQS or S3 server failed is local-aws's failure, not a usage error.
    const usage =
      error instanceof LocalAwsError && error.code !== 'SqsRequestFailed' && error.code !== 'S3RequestFailed';
    return usage ? EXIT_USAGE : 1;
  }

  if (command.json) {
    const queues = Object.fromEntries(queueNames(command.options).map((n) => [n, aws.queueUrl(n)]));
    process.stdout.write(
      `${JSON.stringify({
        sqsEndpoint: aws.sqsEndpoint,
        s3Endpoint: aws.s3Endpoint,
        region: aws.region,
        credentials: aws.credentials,
        queues,
        env: aws.env(),
      })}\n`,
    );
  } else {
    process.stdout.write(summary(aws, command.options));
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`local-aws: ${signal} again, exiting without waiting\n`);
        resolve(1);
        return;
      }
      stopping = true;
      aws.stop().then(
        () => {
          if (!command.json) process.stdout.write('local-aws stopped\n');
          resolve(0);
        },
        (error: unknown) => {
          process.stderr.write(`local-aws: error while stopping: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

process.exitCode = await main(process.argv.slice(2));
process.exit();
