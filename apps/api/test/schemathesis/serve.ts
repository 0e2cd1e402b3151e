// Starts local-aws and the API on free loopback ports for the schemathesis run, prints
// `{"baseUrl": …, "apiKey": …}` on one line, and stops both on SIGTERM/SIGINT.
import { pino } from 'pino';
import { startHarness } from '../harness.ts';

const apiKey = process.env.SCHEMATHESIS_API_KEY ?? 'schemathesis-key';
const harness = await startHarness(
  // Event streams of jobs nobody uploads to would stay open for an hour: close them after 2 s.
  { sseMaxSeconds: 2, ssePollMs: 500, uploads: { perKeyPerHour: 1_000_000 } },
  {
    keys: { schemathesis: apiKey },
    partSizes: 'config',
    // Logs go to stderr: stdout carries only the address line.
    logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  },
);
const { baseUrl } = harness;
process.stdout.write(`${JSON.stringify({ baseUrl, apiKey })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await harness.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
