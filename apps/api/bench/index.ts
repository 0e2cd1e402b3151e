// API throughput and latency on local-aws (loopback), one process: `pnpm --filter @media-server/api bench`.
// Prints a markdown table. Numbers include local-aws's S3 (s3rver, file-backed) doing the storage work.
import { cpus } from 'node:os';
import { startHarness } from '../test/harness.ts';

const KEY = 'bench-key';
const CONCURRENCY = 16;

const harness = await startHarness(
  { uploads: { perKeyPerHour: 1_000_000 } },
  { keys: { bench: KEY }, partSizes: 'config' },
);
const { baseUrl } = harness;
const auth = { authorization: `Bearer ${KEY}` };

interface Result {
  name: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

async function run(
  name: string,
  requests: number,
  once: (index: number) => Promise<Response>,
): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        const index = next;
        next += 1;
        const begin = performance.now();
        const response = await once(index);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests,
    perSecond: requests / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const results: Result[] = [];
results.push(await run('GET /healthz', 3000, () => fetch(`${baseUrl}/healthz`)));
const ids: string[] = [];
results.push(
  await run('POST /v1/uploads (presigned PUT, spec to S3)', 400, async () => {
    const response = await fetch(`${baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'clip.mp4', contentType: 'video/mp4', size: 1_000_000 }),
    });
    const clone = response.clone();
    ids.push(((await clone.json()) as { id: string }).id);
    return response;
  }),
);
results.push(
  await run('POST /v1/uploads (multipart, 63 part URLs)', 100, () =>
    fetch(`${baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'big.mp4', contentType: 'video/mp4', size: 1_000_000_000 }),
    }),
  ),
);
results.push(
  await run('GET /v1/jobs/{id} (spec + status + HEAD)', 1000, (index) =>
    fetch(`${baseUrl}/v1/jobs/${ids[index % ids.length]}`, { headers: auth }),
  ),
);
results.push(
  await run('GET /v1/jobs?limit=20', 200, () => fetch(`${baseUrl}/v1/jobs?limit=20`, { headers: auth })),
);

// Many open event streams: memory per stream and time until every stream has its first event.
const STREAMS = 200;
const controller = new AbortController();
const firstEvents = performance.now();
await Promise.all(
  Array.from({ length: STREAMS }, async (_, index) => {
    const response = await fetch(`${baseUrl}/v1/jobs/${ids[index % ids.length]}/events`, {
      headers: auth,
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
  }),
);
const firstEventMs = performance.now() - firstEvents;
const rssWith = process.memoryUsage().rss;
controller.abort();

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const lines = [
  `API bench, ${new Date().toISOString().slice(0, 10)}, ${machine}, concurrency ${CONCURRENCY}, local-aws on loopback`,
  '',
  '| scenario | requests | req/s | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
  ),
  '',
  `${STREAMS} concurrent SSE streams: all had their first event after ${firstEventMs.toFixed(0)} ms; process RSS with them open ${(rssWith / 1024 / 1024).toFixed(0)} MiB (API, local-aws and the client in one process)`,
];
process.stdout.write(`${lines.join('\n')}\n`);

await harness.stop();
