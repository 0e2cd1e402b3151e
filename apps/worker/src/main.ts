import { ConfigError } from '@media-server/jobs';
import { pino } from 'pino';
import { loadWorkerConfig, type WorkerConfig } from './config.ts';
import { startWorker } from './worker.ts';

// Entry point: `pnpm --filter @media-server/worker start` (or `dev`). Configuration comes from the
// environment only; see README.md for every variable.
let config: WorkerConfig;
try {
  config = loadWorkerConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`worker: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const log = pino({
  level: config.logLevel,
  base: { service: 'media-worker', workerId: config.workerId },
  timestamp: pino.stdTimeFunctions.isoTime,
});

// A signal while the worker is still starting (waiting for local-aws, say) just ends the process.
const exitEarly = (signal: NodeJS.Signals) => {
  log.info({ signal }, 'stopped before the worker started');
  process.exit(0);
};
process.once('SIGTERM', exitEarly);
process.once('SIGINT', exitEarly);

const worker = await startWorker(config, log).catch((error: unknown) => {
  log.fatal({ err: error }, 'worker could not start');
  process.exit(1);
});
process.off('SIGTERM', exitEarly);
process.off('SIGINT', exitEarly);

if (config.aws.mode === 'local') {
  log.info(
    `worker ready: health http://127.0.0.1:${worker.httpPort}/healthz, metrics http://127.0.0.1:${worker.httpPort}/metrics; ` +
      `upload anything under s3://${config.aws.bucket}/uploads/ and watch s3://${config.aws.bucket}/jobs/<jobId>/status.json`,
  );
}

let signals = 0;
const shutdown = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  worker.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('unhandledRejection', (error) => log.error({ err: error }, 'unhandled rejection'));
