// Bench: this consumer vs sqs-consumer v15 on the same local-aws, the same 1,000 pre-loaded messages and the
// same seeded handler times; plus the zero-overhead ideal and pickup latency. Run: pnpm --filter
// @media-server/queue-consumer bench
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { QueueConsumer } from '../src/index.ts';
import { idealMakespan, type Mix, makeMixes, mean, percentile } from './handler-times.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const CONCURRENCY = 20;
const SEED = 20_261_130;
const PICKUP_SENDS = 50;

const server = spawn(
  process.execPath,
  ['--conditions=@media-server/source', fileURLToPath(new URL('local-aws-server.ts', import.meta.url))],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const firstLine = await new Promise<string>((resolve) =>
  createInterface({ input: server.stdout }).once('line', resolve),
);
const { config } = JSON.parse(firstLine) as { config: ConstructorParameters<typeof SQSClient>[0] };
const sqs = new SQSClient({ ...config, maxAttempts: 3 });

let queueNumber = 0;
async function preloadedQueue(count: number): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: `bench-${queueNumber++}`, Attributes: { VisibilityTimeout: '60' } }),
  );
  const url = out.QueueUrl as string;
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({
      Id: `e${j}`,
      MessageBody: String(i + j),
    }));
    sends.push(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })));
    if (sends.length >= 10) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  return url;
}

interface Run {
  contender: string;
  mix: string;
  seconds: number;
  throughput: number;
  efficiency: number;
  /** Mean lateness of the handlers' timers (machine load), ms. */
  overshootMs: number;
}

/** Runs one contender over a fresh pre-loaded queue; resolves with the time from start to the last handler end. */
async function measure(
  contender: string,
  mix: Mix,
  run: (queueUrl: string, handle: (body: string) => Promise<void>) => Promise<() => Promise<void>>,
  count = MESSAGES,
): Promise<Run> {
  const url = await preloadedQueue(count);
  const done = new Set<string>();
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  let lastEnd = 0;
  let overshoot = 0;
  const handle = async (body: string) => {
    const planned = mix.times[Number(body)] as number;
    const begin = performance.now();
    await sleep(planned);
    overshoot += performance.now() - begin - planned;
    if (!done.has(body)) {
      done.add(body);
      lastEnd = performance.now();
      if (done.size === count) finish();
    }
  };
  const started = performance.now();
  const stop = await run(url, handle);
  await allDone;
  const seconds = (lastEnd - started) / 1000;
  await stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  const throughput = count / seconds;
  return {
    contender,
    mix: mix.name,
    seconds,
    throughput,
    efficiency: throughput / (CONCURRENCY / (mean(mix.times) / 1000)),
    overshootMs: overshoot / count,
  };
}

const ours = (queueUrl: string, handle: (body: string) => Promise<void>) => {
  const consumer = new QueueConsumer({
    sqs,
    queueUrl,
    concurrency: CONCURRENCY,
    ...(process.env.BENCH_POLLERS ? { pollers: Number(process.env.BENCH_POLLERS) } : {}),
    handler: (m) => handle(m.Body ?? ''),
  });
  consumer.on('error', (error) => console.error(error));
  return consumer.start().then(() => () => consumer.stop({ graceMs: 5000 }));
};

const theirs = async (queueUrl: string, handle: (body: string) => Promise<void>) => {
  const consumers = [0, 1].map(() =>
    Consumer.create({
      sqs,
      queueUrl,
      batchSize: 10,
      waitTimeSeconds: 20,
      pollingWaitTimeMs: 0,
      handleMessage: async (message) => {
        await handle(message.Body ?? '');
        return message;
      },
    }),
  );
  let stopped = false;
  for (const c of consumers) {
    c.on('error', (error) => {
      if (!stopped) console.error(error);
    });
    c.start();
  }
  return async () => {
    stopped = true;
    for (const c of consumers) c.stop({ abort: true });
  };
};

const mixes = makeMixes(MESSAGES, SEED);
// Warm-up (not reported): JIT, connections and the server's first queries, for both contenders alike.
const warmUp = { name: 'warm-up', times: makeMixes(200, SEED + 7)[0]?.times.map((t) => t / 4) ?? [] };
await measure('warm-up', warmUp, ours, 200);
await measure('warm-up', warmUp, theirs, 200);
const runs: Run[] = [];
const ideals: Array<{ mix: string; efficiency: number; throughput: number }> = [];
for (const mix of mixes) {
  const makespan = idealMakespan(mix.times, CONCURRENCY) / 1000;
  const throughput = MESSAGES / makespan;
  ideals.push({
    mix: mix.name,
    throughput,
    efficiency: throughput / (CONCURRENCY / (mean(mix.times) / 1000)),
  });
  runs.push(await measure('@media-server/queue-consumer (concurrency 20)', mix, ours));
  runs.push(await measure('sqs-consumer 15 (2 × batchSize 10)', mix, theirs));
}

// Pickup latency: send start → handler start, idle consumer, one message at a time.
const pickupUrl = await preloadedQueue(0);
const latencies: number[] = [];
let sentAt = 0;
let picked: () => void = () => {};
const pickupConsumer = new QueueConsumer({
  sqs,
  queueUrl: pickupUrl,
  concurrency: CONCURRENCY,
  handler: () => {
    latencies.push(performance.now() - sentAt);
    picked();
  },
});
await pickupConsumer.start();
await sleep(200);
for (let i = 0; i < PICKUP_SENDS; i++) {
  const got = new Promise<void>((resolve) => (picked = resolve));
  sentAt = performance.now();
  await sqs.send(new SendMessageCommand({ QueueUrl: pickupUrl, MessageBody: String(i) }));
  await got;
  await sleep(30);
}
await pickupConsumer.stop({ graceMs: 1000 });

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const lines = [
  `${MESSAGES} messages pre-loaded, concurrency 20, seed ${SEED}; local-aws in a child process on loopback.`,
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`,
  '',
  '| contender | mix | time (s) | throughput (msg/s) | efficiency | of ideal | timer lateness (ms/handler) |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
];
for (const mix of mixes) {
  const ideal = ideals.find((i) => i.mix === mix.name);
  lines.push(
    `| ideal: 20 greedy workers, zero overhead | ${mix.name} | ${(MESSAGES / (ideal?.throughput ?? 1)).toFixed(2)} | ${ideal?.throughput.toFixed(1)} | ${pct(ideal?.efficiency ?? 0)} | 100 % | 0 |`,
  );
  for (const run of runs.filter((r) => r.mix === mix.name)) {
    lines.push(
      `| ${run.contender} | ${run.mix} | ${run.seconds.toFixed(2)} | ${run.throughput.toFixed(1)} | ${pct(run.efficiency)} | ${pct(run.efficiency / (ideal?.efficiency ?? 1))} | ${(Math.abs(run.overshootMs) < 0.05 ? 0 : run.overshootMs).toFixed(1)} |`,
    );
  }
}
lines.push(
  '',
  "Timer lateness: how much later than planned the handlers' sleeps ended (machine load); it counts against every contender, not against the ideal.",
  `Pickup latency (send start → handler start, idle consumer, ${PICKUP_SENDS} sends): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms.`,
);
const oursRuns = runs.filter((r) => r.contender.startsWith('@media'));
const meets = oursRuns.every(
  (r) => r.efficiency / (ideals.find((i) => i.mix === r.mix)?.efficiency ?? 1) >= 0.9,
);
lines.push(
  `Targets: ≥ 0.9 of ideal on both mixes: ${meets ? 'met' : 'NOT met'}; pickup p50 ≤ 10 ms: ${percentile(latencies, 50) <= 10 ? 'met' : 'NOT met'}; p99 ≤ 50 ms: ${percentile(latencies, 99) <= 50 ? 'met' : 'NOT met'}.`,
);
console.log(lines.join('\n'));
sqs.destroy();
server.stdin?.end();
