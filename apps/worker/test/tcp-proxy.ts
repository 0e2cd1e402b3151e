import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to a loopback port. A test can cut it (every connection reset, new ones refused) and restore
 * it; with `bytesPerSecond` it passes the answers on at most that rate (a slow link).
 */
export interface TcpProxy {
  endpoint: string;
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(
  target: string,
  options: { bytesPerSecond?: number | undefined } = {},
): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const { bytesPerSecond } = options;
  let down = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    open.add(client);
    open.add(upstream);
    const close = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    if (bytesPerSecond === undefined) {
      upstream.pipe(client);
      return;
    }
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    cut() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
