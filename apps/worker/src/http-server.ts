import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` (the process answers), `/readyz` (`ready()` says the queue and bucket are reachable and the
 * worker is not stopping; `details()` adds the ffmpeg build and isolation) and `/metrics` (Prometheus text).
 */
export async function startHealthServer(options: {
  port: number;
  host?: string | undefined;
  registry: Registry;
  ready: () => { ready: boolean; reason?: string | undefined };
  /** Added to every `/readyz` answer (the ffmpeg build and isolation). */
  details?: (() => Record<string, unknown>) | undefined;
}): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json(405, { error: 'method not allowed' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      const state = options.ready();
      const details = options.details?.() ?? {};
      return json(
        state.ready ? 200 : 503,
        state.ready
          ? { status: 'ready', ...details }
          : { status: 'not ready', reason: state.reason, ...details },
      );
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': options.registry.contentType });
          response.end(text);
        },
        (error: unknown) => json(500, { error: (error as Error).message }),
      );
      return;
    }
    json(404, { error: 'not found' });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
