import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ConfigError } from '@media-server/jobs';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { DEV_API_KEY, loadConfig } from './config.ts';
import { createAwsClients } from './context.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`api: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const logger = pino({
  level: config.logLevel,
  base: { service: 'media-api' },
  timestamp: pino.stdTimeFunctions.isoTime, // the worker's format: one time format across the apps' logs
  redact: ['req.headers.authorization'],
});
const clients = createAwsClients(config);

if (config.devKeyEnabled) {
  logger.warn(
    `API_KEYS is not set: local mode accepts the development key "${DEV_API_KEY}" (Authorization: Bearer ${DEV_API_KEY}). Never run like this in production.`,
  );
}

/** In local mode local-aws may still be starting (`pnpm dev` starts everything at once): wait for it. */
async function waitForAws(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await clients.s3.send(new HeadBucketCommand({ Bucket: config.aws.bucket }));
      await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: config.aws.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        logger.info({ err: (error as Error).message }, 'waiting for local-aws (bucket and queue)');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

if (config.aws.mode === 'local') await waitForAws();
const app = await buildApp(config, clients, { logger });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('graceful shutdown took longer than 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await app.close();
  clients.s3.destroy();
  clients.sqs.destroy();
  if (clients.presigner !== clients.s3) clients.presigner.destroy();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

const address = await app.listen({ host: config.host, port: config.port });
logger.info(
  { address, mode: config.aws.mode, bucket: config.aws.bucket, docs: `${address}/docs` },
  'api listening',
);
if (config.aws.mode === 'local') {
  logger.info(
    `try it: ./dev.sh upload <file> (from the repository root) uploads through ${address} and follows the job`,
  );
}
