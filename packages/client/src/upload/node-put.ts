/**
 * A PUT of one part through Node's own `http`/`https` modules, writing chunk after chunk as the socket
 * drains. Node's `fetch` keeps far more of a streamed body in memory (a 1 GiB upload peaked above
 * 200 MB with it, under 100 MB with this). Reached through `process.getBuiltinModule`, never imported,
 * so the browser path of the package has no Node import.
 */

interface Writable {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  destroy(error?: Error): void;
}
interface IncomingResponse {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  resume(): void;
  on(event: 'end', listener: () => void): void;
}
interface HttpModule {
  request(
    url: URL,
    options: { method: string; headers: Record<string, string>; agent: unknown },
    callback: (response: IncomingResponse) => void,
  ): Writable;
  Agent: new (options: { keepAlive: boolean }) => unknown;
}

const agents = new Map<string, unknown>();

function httpModule(protocol: string): { module: HttpModule; agent: unknown } | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const name = protocol === 'https:' ? 'node:https' : 'node:http';
  const module = processLike?.getBuiltinModule?.(name) as HttpModule | undefined;
  if (module === undefined) return undefined;
  let agent = agents.get(name);
  if (agent === undefined) {
    agent = new module.Agent({ keepAlive: true });
    agents.set(name, agent);
  }
  return { module, agent };
}

/** True where parts can go through {@link nodePut} (Node, Deno and Bun have the modules). */
export function canNodePut(url: string): boolean {
  return httpModule(new URL(url).protocol) !== undefined;
}

/**
 * PUTs a body that `writeBody` produces through `write`, whose promise resolves once the chunk has left
 * for the socket: then its buffer may be filled again.
 */
export async function nodePut(
  url: string,
  headers: Record<string, string>,
  writeBody: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
  signal: AbortSignal,
): Promise<{ status: number; etag: string | undefined }> {
  const target = new URL(url);
  const http = httpModule(target.protocol);
  if (http === undefined) throw new Error('node:http is not available');
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(error);
    };
    const request = http.module.request(target, { method: 'PUT', headers, agent: http.agent }, (response) => {
      response.resume();
      response.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const etag = response.headers.etag;
        resolve({ status: response.statusCode ?? 0, etag: Array.isArray(etag) ? etag[0] : etag });
      });
    });
    const onAbort = (): void => {
      request.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      fail(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    const write = (chunk: Uint8Array): Promise<void> =>
      new Promise((written, failed) => {
        if (settled) {
          failed(new Error('the request ended'));
          return;
        }
        request.write(chunk, (error) => (error ? failed(error) : written()));
      });
    writeBody(write)
      .then(() => request.end())
      .catch((error: unknown) => {
        request.destroy(error instanceof Error ? error : new Error(String(error)));
        fail(error);
      });
  });
}
