// SQS benchmark: local-aws (durable, own process) vs ElasticMQ (ELASTICMQ_ENDPOINT) vs moto (MOTO_ENDPOINT).
// Run with `pnpm --filter @media-server/local-aws bench`. BENCH_SECONDS (default 5) sets each measurement.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  benchClient,
  createQueue,
  deleteQueue,
  percentile,
  prefill,
  rawBatchedRoundTrips,
  roundTrips,
  wakeLatencies,
} from './sqs-workload.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
const WORKERS = Number(process.env.BENCH_WORKERS ?? '16');
const WAKE_SAMPLES = Number(process.env.BENCH_WAKE_SAMPLES ?? '200');

interface Target {
  name: string;
  endpoint: string | undefined;
  /** Largest prefill this server can take in reasonable time. */
  maxPrefill: number;
}

interface Row {
  target: string;
  queued: number;
  batched: number | undefined;
  single: number | undefined;
  raw: number | undefined;
}

async function startLocalAwsChild(
  dataDir: string,
  fsync: boolean,
): Promise<{ endpoint: string; child: ChildProcess }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'sqs-child.ts');
  const child = spawn(
    process.execPath,
    ['--conditions=@media-server/source', script, dataDir, ...(fsync ? ['fsync'] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`local-aws child exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  return { endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, child };
}

function format(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

async function benchTarget(target: Target, rows: Row[], wake: Map<string, number[]>): Promise<void> {
  if (target.endpoint === undefined) {
    for (const queued of [1_000, 100_000])
      rows.push({ target: target.name, queued, batched: undefined, single: undefined, raw: undefined });
    return;
  }
  const client = benchClient(target.endpoint);
  try {
    // Warm-up (not measured): JIT of the client and the server, connections opened.
    const warmUrl = await createQueue(client, `bench-warm-${Date.now()}`);
    process.stderr.write(`${target.name}: warming up...\n`);
    await roundTrips(client, warmUrl, 'batch', 1, WORKERS);
    await roundTrips(client, warmUrl, 'single', 1, WORKERS);
    await rawBatchedRoundTrips(target.endpoint, warmUrl, 1, WORKERS);
    await deleteQueue(client, warmUrl);
    for (const queued of [1_000, 100_000]) {
      if (queued > target.maxPrefill) {
        rows.push({ target: target.name, queued, batched: undefined, single: undefined, raw: undefined });
        continue;
      }
      const url = await createQueue(client, `bench-${queued}-${Date.now()}`);
      process.stderr.write(`${target.name}: prefilling ${queued}...\n`);
      await prefill(client, url, queued);
      process.stderr.write(`${target.name}: ${queued} queued, batched round trips...\n`);
      const batched = await roundTrips(client, url, 'batch', SECONDS, WORKERS);
      process.stderr.write(`${target.name}: single round trips...\n`);
      const single = await roundTrips(client, url, 'single', SECONDS, WORKERS);
      process.stderr.write(`${target.name}: batched round trips, minimal client...\n`);
      const raw = await rawBatchedRoundTrips(target.endpoint, url, SECONDS, WORKERS);
      rows.push({ target: target.name, queued, batched, single, raw });
      await deleteQueue(client, url);
    }
    const wakeUrl = await createQueue(client, `bench-wake-${Date.now()}`);
    process.stderr.write(`${target.name}: wake latency...\n`);
    wake.set(target.name, await wakeLatencies(client, wakeUrl, target.name === 'moto' ? 50 : WAKE_SAMPLES));
    await deleteQueue(client, wakeUrl);
  } finally {
    client.destroy();
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'local-aws-bench-'));
const local = await startLocalAwsChild(join(dataDir, 'default'), false);
const localFsync = await startLocalAwsChild(join(dataDir, 'fsync'), true);
const rows: Row[] = [];
const wake = new Map<string, number[]>();
try {
  const targets: Target[] = [
    { name: 'local-aws (durable)', endpoint: local.endpoint, maxPrefill: 100_000 },
    { name: 'local-aws (durable, fsync)', endpoint: localFsync.endpoint, maxPrefill: 1_000 },
    { name: 'ElasticMQ', endpoint: process.env.ELASTICMQ_ENDPOINT || undefined, maxPrefill: 100_000 },
    { name: 'moto', endpoint: process.env.MOTO_ENDPOINT || undefined, maxPrefill: 1_000 },
  ];
  for (const target of targets) await benchTarget(target, rows, wake);
} finally {
  for (const { child } of [local, localFsync]) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
}

const cpu = cpus();
console.log(
  `\nSQS benchmark — ${new Date().toISOString().slice(0, 10)} — ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log(
  `${WORKERS} concurrent workers, ${SECONDS} s per measurement; a round trip = send + receive + delete of one message.\n`,
);
console.log(
  '| server | messages queued | batched (10) msg/s, SDK | single msg/s, SDK | batched (10) msg/s, minimal client |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.target} | ${row.queued.toLocaleString('en-US')} | ${format(row.batched)} | ${format(row.single)} | ${format(row.raw)} |`,
  );
}
console.log('\n| server | long-poll wake p50 ms | p99 ms | samples |');
console.log('| --- | ---: | ---: | ---: |');
for (const name of ['local-aws (durable)', 'local-aws (durable, fsync)', 'ElasticMQ', 'moto']) {
  const samples = wake.get(name);
  console.log(
    `| ${name} | ${format(samples && percentile(samples, 50), 1)} | ${format(samples && percentile(samples, 99), 1)} | ${samples?.length ?? 'n/a'} |`,
  );
}
