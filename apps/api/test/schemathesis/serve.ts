// Starts local-aws and the API on free loopback ports for the schemathesis run, prints
// `{"baseUrl": …, "apiKey": …}` on one line, and stops both on SIGTERM/SIGINT.
import { startLocalAws } from '@media-server/local-aws';
import { pino } from 'pino';
import { hashApiKey } from '../../src/api-keys.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createAwsClients } from '../../src/context.ts';

const apiKey = process.env.SCHEMATHESIS_API_KEY ?? 'schemathesis-key';
const aws = await startLocalAws({
  queues: [{ name: 'media-jobs' }],
  buckets: ['media'],
  notifications: [{ bucket: 'media', queue: 'media-jobs', prefix: 'uploads/' }],
});
const base = loadConfig({
  ...aws.env(),
  MEDIA_BUCKET: 'media',
  JOBS_QUEUE_URL: aws.queueUrl('media-jobs'),
  API_KEYS: `schemathesis:${hashApiKey(apiKey)}`,
});
// Event streams of jobs nobody uploads to would stay open for an hour: close them after 2 s.
const config = {
  ...base,
  sseMaxSeconds: 2,
  ssePollMs: 500,
  uploads: { ...base.uploads, perKeyPerHour: 1_000_000 },
};
const clients = createAwsClients(config);
// Logs go to stderr: stdout carries only the address line.
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const app = await buildApp(config, clients, { logger });
const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ baseUrl, apiKey })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  clients.s3.destroy();
  clients.sqs.destroy();
  await aws.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
