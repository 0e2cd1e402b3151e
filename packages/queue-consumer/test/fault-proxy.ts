import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of an SQS endpoint that counts the calls per action (`X-Amz-Target`, JSON
 * protocol) and answers 500 InternalError for the actions in `failing`, as SQS does in an outage.
 */
export interface FaultProxy {
  endpoint: string;
  /** Actions answered with 500 (for example `ChangeMessageVisibility`). */
  failing: Set<string>;
  /** HTTP requests seen per action (every attempt of the SDK counts). */
  calls: Map<string, number>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const failing = new Set<string>();
  const calls = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      calls.set(action, (calls.get(action) ?? 0) + 1);
      if (failing.has(action)) {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'InternalError', message: 'injected outage' }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value;
      }
      fetch(target + (request.url ?? '/'), {
        method: request.method ?? 'POST',
        headers,
        body: Buffer.concat(chunks),
      }).then(
        async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection')
              out[name] = value;
          });
          response.writeHead(answer.status, out);
          response.end(body);
        },
        () => {
          response.writeHead(502);
          response.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failing,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
