import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics, in a registry of its own (so several apps can share a process in tests). */
export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  uploadsCreated: Counter<'method'>;
  jobsCreated: Counter;
  sseConnections: Gauge;
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer HTTP requests (SSE streams excluded)',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    uploadsCreated: new Counter({
      name: 'uploads_created_total',
      help: 'Uploads handed out, by method (put or multipart)',
      labelNames: ['method'],
      registers: [registry],
    }),
    jobsCreated: new Counter({
      name: 'jobs_created_total',
      help: 'Jobs created for objects already in the bucket (POST /v1/jobs)',
      registers: [registry],
    }),
    sseConnections: new Gauge({
      name: 'sse_connections',
      help: 'Open job event streams',
      registers: [registry],
    }),
  };
}
