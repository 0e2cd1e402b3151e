// Bench: this consumer vs sqs-consumer v15 on the same local-aws, the same pre-loaded messages and the same
// seeded handler times, against the zero-overhead ideal; at concurrency 20 and 200, mixes A and B, with 0 and
// 25 ms added to every SQS answer (real SQS answers in 10–30 ms). Then pickup latency on an idle queue for
// both. The whole matrix runs BENCH_RUNS times (default 3) and the summary gives min / median / max.
// Run: pnpm --filter @media-server/queue-consumer bench   (BENCH_ONLY=pickup for the pickup part alone)
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
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
import { idealMakespan, type Mix, makeMixes, mulberry32, percentile } from './handler-times.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY_PICKUP = process.env.BENCH_ONLY === 'pickup';
const SEED = 20_261_130;
const PICKUP_SENDS = Number(process.env.BENCH_PICKUP_SENDS ?? 150);
const PICKUP_MEAN_GAP_MS = 40;
/** `prefetch` of the prefetching contender, as a multiple of its concurrency. */
const PREFETCH = Number(process.env.BENCH_PREFETCH ?? 3);
const LATENCIES_MS = [0, 25];
/** Concurrency → messages per run (more at 200, so that a run is not mostly ramp-up). */
const CELLS: ReadonlyArray<{ concurrency: number; messages: number }> = [
  { concurrency: 20, messages: Number(process.env.BENCH_MESSAGES ?? 1000) },
  { concurrency: 200, messages: Number(process.env.BENCH_MESSAGES_200 ?? 4000) },
];

interface LocalAwsProcess {
  child: ChildProcess;
  sqs: SQSClient;
}

async function startServer(latencyMs: number): Promise<LocalAwsProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@media-server/source',
      fileURLToPath(new URL('local-aws-server.ts', import.meta.url)),
      String(latencyMs),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const stdout = child.stdout;
  if (stdout === null) throw new Error('local-aws child has no stdout');
  const firstLine = await new Promise<string>((resolve) =>
    createInterface({ input: stdout }).once('line', resolve),
  );
  const { config } = JSON.parse(firstLine) as { config: ConstructorParameters<typeof SQSClient>[0] };
  // Enough sockets for 200 concurrent polls plus deletes.
  return { child, sqs: new SQSClient({ ...config, maxAttempts: 3 }) };
}

let queueNumber = 0;
async function preloadedQueue(sqs: SQSClient, count: number): Promise<string> {
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
    if (sends.length >= 20) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  return url;
}

type Handle = (body: string) => Promise<void>;
type Contender = (
  sqs: SQSClient,
  queueUrl: string,
  concurrency: number,
  handle: Handle,
) => Promise<() => Promise<void>>;

const ours =
  (prefetch: number): Contender =>
  async (sqs, queueUrl, concurrency, handle) => {
    const consumer = new QueueConsumer({
      sqs,
      queueUrl,
      concurrency,
      prefetch: prefetch * concurrency,
      handler: (m) => handle(m.Body ?? ''),
    });
    consumer.on('error', (error) => console.error(error));
    await consumer.start();
    return () => consumer.stop({ graceMs: 5000 });
  };

/** sqs-consumer has no concurrency option: concurrency / 10 consumers of batchSize 10 each. */
const theirs: Contender = async (sqs, queueUrl, concurrency, handle) => {
  const consumers = Array.from({ length: Math.max(1, Math.round(concurrency / 10)) }, () =>
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

const CONTENDERS: ReadonlyArray<{ name: string; run: Contender }> = [
  { name: '@media-server/queue-consumer', run: ours(0) },
  {
    name: `@media-server/queue-consumer, prefetch = ${PREFETCH === 1 ? '' : `${PREFETCH} × `}concurrency`,
    run: ours(PREFETCH),
  },
  { name: 'sqs-consumer 15 (concurrency/10 × batchSize 10)', run: theirs },
];

/** Seconds from start to the last handler end, over a fresh pre-loaded queue. */
async function measure(sqs: SQSClient, contender: Contender, mix: Mix, concurrency: number): Promise<number> {
  const count = mix.times.length;
  const url = await preloadedQueue(sqs, count);
  const done = new Set<string>();
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  let lastEnd = 0;
  const handle = async (body: string) => {
    await sleep(mix.times[Number(body)] as number);
    if (!done.has(body)) {
      done.add(body);
      lastEnd = performance.now();
      if (done.size === count) finish();
    }
  };
  const started = performance.now();
  const stop = await contender(sqs, url, concurrency, handle);
  await allDone;
  await stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  return (lastEnd - started) / 1000;
}

/** Pickup latency: send start → handler start, one message at a time on an idle queue. */
async function pickup(sqs: SQSClient, contender: Contender): Promise<number[]> {
  const url = await preloadedQueue(sqs, 0);
  const latencies: number[] = [];
  let sentAt = 0;
  let picked: () => void = () => {};
  const stop = await contender(sqs, url, 20, async () => {
    latencies.push(performance.now() - sentAt);
    picked();
  });
  await sleep(300);
  // Seeded gaps of 30–60 ms (the same for every contender), so that no fixed period lines up with a
  // contender's own timers.
  const gap = mulberry32(SEED + 3);
  for (let i = 0; i < PICKUP_SENDS; i++) {
    const got = new Promise<void>((resolve) => (picked = resolve));
    sentAt = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: String(i) }));
    await got;
    await sleep(30 + gap() * 30);
  }
  await stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  return latencies;
}

/**
 * Pickup latency with arrivals that do not wait for the consumer (open loop): sends at seeded exponential
 * gaps (Poisson arrivals, mean `PICKUP_MEAN_GAP_MS`), each timed from its own send start to its handler
 * start. The closed loop above waits for each pickup before the next send, so it never sees a message that
 * arrives while a contender is not listening (deleting, or between two receives).
 */
async function pickupOpenLoop(sqs: SQSClient, contender: Contender): Promise<number[]> {
  const url = await preloadedQueue(sqs, 0);
  const sentAt = new Array<number>(PICKUP_SENDS).fill(0);
  const latencies: number[] = [];
  let allPicked: () => void = () => {};
  const done = new Promise<void>((resolve) => (allPicked = resolve));
  const stop = await contender(sqs, url, 20, async (body) => {
    latencies.push(performance.now() - (sentAt[Number(body)] as number));
    if (latencies.length === PICKUP_SENDS) allPicked();
  });
  await sleep(300);
  const gap = mulberry32(SEED + 5);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < PICKUP_SENDS; i++) {
    sentAt[i] = performance.now();
    sends.push(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: String(i) })));
    await sleep(-Math.log(1 - gap()) * PICKUP_MEAN_GAP_MS);
  }
  await Promise.all(sends);
  await done;
  await stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  return latencies;
}

interface Cell {
  latencyMs: number;
  concurrency: number;
  mix: string;
  contender: string;
  /** Throughput ÷ the zero-overhead ideal's. */
  ofIdeal: number[];
  /** Throughput ÷ the permit-bound ideal's (every message also waits one SQS answer). */
  ofBound: number[];
  throughput: number[];
}

const cells = new Map<string, Cell>();
function cell(latencyMs: number, concurrency: number, mix: string, contender: string): Cell {
  const key = `${latencyMs}|${concurrency}|${mix}|${contender}`;
  let found = cells.get(key);
  if (!found) {
    found = { latencyMs, concurrency, mix, contender, ofIdeal: [], ofBound: [], throughput: [] };
    cells.set(key, found);
  }
  return found;
}
const pickups = new Map<string, number[]>();
const openPickups = new Map<string, number[]>();
const loads: number[] = [];

/** The contenders in run `run`'s order: each run starts with another one, so none always goes first. */
function inTurn(run: number): ReadonlyArray<{ name: string; run: Contender }> {
  const shift = run % CONTENDERS.length;
  return [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
}

const startedAt = new Date();
for (let run = 0; run < RUNS; run++) {
  for (const latencyMs of LATENCIES_MS) {
    const server = await startServer(latencyMs);
    try {
      // Warm-up (not reported): JIT, connections and the server's first queries, for both contenders alike.
      const warmUp: Mix = {
        name: 'warm-up',
        times: (makeMixes(200, SEED + 7)[0]?.times ?? []).map((t) => t / 4),
      };
      if (!ONLY_PICKUP) {
        for (const contender of CONTENDERS) await measure(server.sqs, contender.run, warmUp, 20);
        for (const { concurrency, messages } of CELLS) {
          for (const mix of makeMixes(messages, SEED)) {
            const ideal = messages / (idealMakespan(mix.times, concurrency) / 1000);
            const bound =
              messages /
              (idealMakespan(
                mix.times.map((t) => t + latencyMs),
                concurrency,
              ) /
                1000);
            for (const contender of inTurn(run)) {
              loads.push(loadavg()[0] ?? 0);
              const throughput = messages / (await measure(server.sqs, contender.run, mix, concurrency));
              const entry = cell(latencyMs, concurrency, mix.name, contender.name);
              entry.throughput.push(throughput);
              entry.ofIdeal.push(throughput / ideal);
              entry.ofBound.push(throughput / bound);
            }
          }
        }
      }
      for (const contender of inTurn(run)) {
        const key = `${latencyMs}|${contender.name}`;
        pickups.set(key, [...(pickups.get(key) ?? []), ...(await pickup(server.sqs, contender.run))]);
      }
      for (const contender of inTurn(run)) {
        const key = `${latencyMs}|${contender.name}`;
        const open = await pickupOpenLoop(server.sqs, contender.run);
        openPickups.set(key, [...(openPickups.get(key) ?? []), ...open]);
      }
    } finally {
      server.sqs.destroy();
      server.child.stdin?.end();
    }
  }
}

const median = (values: number[]) => percentile(values, 50);
const spread = (values: number[], format: (v: number) => string) =>
  `${format(Math.min(...values))} / ${format(median(values))} / ${format(Math.max(...values))}`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const lines = [
  `${RUNS} run(s); seed ${SEED}; local-aws (in memory) in a child process on loopback; ${CELLS.map((c) => `${c.messages} messages at concurrency ${c.concurrency}`).join(', ')}.`,
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, started ${startedAt.toISOString()}; 1-min load average during the runs: ${loads.length ? spread(loads, (v) => v.toFixed(1)) : 'n/a'} (min / median / max).`,
  '',
];
if (!ONLY_PICKUP) {
  lines.push(
    '| added SQS latency | concurrency | mix | contender | of ideal (min / median / max) | of permit-bound ideal (median) | throughput msg/s (median) |',
    '| ---: | ---: | --- | --- | ---: | ---: | ---: |',
  );
  for (const c of cells.values()) {
    lines.push(
      `| ${c.latencyMs} ms | ${c.concurrency} | ${c.mix} | ${c.contender} | ${spread(c.ofIdeal, pct)} | ${pct(median(c.ofBound))} | ${median(c.throughput).toFixed(1)} |`,
    );
  }
  lines.push('');
  for (const ours of CONTENDERS.filter((c) => c.name.startsWith('@media-server'))) {
    const oursCells = [...cells.values()].filter((c) => c.contender === ours.name);
    const held = oursCells.filter((c) => Math.min(...c.ofIdeal) >= 0.95).length;
    lines.push(
      `Goal ≥ 0.95 of the ideal in every run of every cell, ${ours.name}: ${held} of ${oursCells.length} cells held it (${
        oursCells
          .filter((c) => Math.min(...c.ofIdeal) < 0.95)
          .map((c) => `${c.latencyMs} ms / ${c.concurrency} / ${c.mix.split(' ')[0]}`)
          .join(', ') || 'none missed'
      }${held === oursCells.length ? '' : ' missed'}).`,
    );
  }
  lines.push('');
}
lines.push(
  `| added SQS latency | contender | arrivals | pickup p50 (ms) | pickup p99 (ms) | pickup max (ms) | samples |`,
  '| ---: | --- | --- | ---: | ---: | ---: | ---: |',
);
const arrivals = [
  { name: 'one at a time, idle queue', samples: pickups },
  { name: `Poisson, mean gap ${PICKUP_MEAN_GAP_MS} ms`, samples: openPickups },
];
for (const latencyMs of LATENCIES_MS) {
  for (const { name, samples } of arrivals) {
    for (const contender of CONTENDERS) {
      const values = samples.get(`${latencyMs}|${contender.name}`) ?? [];
      lines.push(
        `| ${latencyMs} ms | ${contender.name} | ${name} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 99).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${values.length} |`,
      );
    }
  }
}
console.log(lines.join('\n'));
process.exit(0);
