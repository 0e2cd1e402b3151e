import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACTIONS } from './actions/index.ts';
import { SqsServerError } from './errors.ts';
import type { ActionInput } from './model.ts';
import { isJsonRequest, jsonErrorResponse, jsonResponse, parseJsonRequest } from './protocol/json.ts';
import { parseQueryRequest, queryErrorResponse, queryResponse } from './protocol/query.ts';
import type { WireResponse } from './protocol/wire.ts';
import type { SqsEngine } from './sqs-engine.ts';

/** Largest request body accepted (a 10-entry batch of 1 MiB in total, base64 and JSON escaping included). */
export const MAX_REQUEST_BYTES: number = 8 * 1024 * 1024;

class RequestTooLarge extends Error {}
class RequestAborted extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > MAX_REQUEST_BYTES) {
      reject(new RequestTooLarge());
      return;
    }
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.removeAllListeners('data');
        request.pause();
        reject(new RequestTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new RequestAborted());
    });
  });
}

type Protocol = 'json' | 'query';

/**
 * The HTTP front of the SQS server: tells the JSON protocol from the query protocol, decodes the request,
 * runs the action and encodes the reply or an AWS-style error. Never lets an error escape a request.
 */
export class SqsHttpServer {
  readonly server: Server;
  readonly #engine: SqsEngine;
  readonly #latencyMs: number;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  /** @param latencyMs Added before every answer is written (a stand-in for the network). */
  constructor(engine: SqsEngine, latencyMs = 0) {
    this.#engine = engine;
    this.#latencyMs = latencyMs;
    this.server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
      this.#inFlight++;
      this.#handle(request, response)
        .catch(() => {
          if (!response.headersSent) response.writeHead(500).end();
          else response.destroy();
        })
        .finally(() => {
          this.#inFlight--;
          if (this.#inFlight === 0) this.#idle?.();
        });
    });
  }

  /** Resolves when no request is being handled, or after `timeoutMs` at the latest. */
  drained(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const protocol: Protocol = isJsonRequest(request.headers) ? 'json' : 'query';
    const controller = new AbortController();
    const undoIfUndelivered: Array<() => void> = [];
    const undo = (): void => {
      for (const callback of undoIfUndelivered.splice(0)) callback();
    };
    response.on('close', () => {
      if (response.writableFinished) return;
      controller.abort();
      undo();
    });
    let reply: WireResponse;
    try {
      let body: Buffer;
      try {
        body = await readBody(request);
      } catch (error) {
        if (error instanceof RequestTooLarge) {
          response.setHeader('connection', 'close');
          throw new SqsServerError(
            'RequestEntityTooLarge',
            `Request body is larger than ${MAX_REQUEST_BYTES} bytes.`,
          );
        }
        throw error;
      }
      let action: string;
      let input: ActionInput;
      if (protocol === 'json') {
        ({ action, input } = parseJsonRequest(request.headers, body));
      } else {
        ({ action, input } = parseQueryRequest(request.method ?? 'GET', url, body));
      }
      const handler = ACTIONS.get(action);
      if (handler === undefined) {
        throw new SqsServerError(
          protocol === 'json' ? 'UnknownOperationException' : 'InvalidAction',
          action === ''
            ? 'The request must contain an Action.'
            : `The action ${action} is not valid for this endpoint.`,
        );
      }
      if (this.#engine.closed) throw new SqsServerError('ServerClosed', 'The SQS server is stopping.');
      const output = await handler(input, {
        engine: this.#engine,
        signal: controller.signal,
        onUndelivered: (callback) => undoIfUndelivered.push(callback),
      });
      await this.#engine.store.committed();
      reply =
        protocol === 'json' ? jsonResponse(output, requestId) : queryResponse(action, output, requestId);
    } catch (error) {
      const sqsError =
        error instanceof SqsServerError
          ? error
          : new SqsServerError(
              'InternalFailure',
              'The request processing has failed because of an unknown error.',
              {
                cause: error,
              },
            );
      reply =
        protocol === 'json'
          ? jsonErrorResponse(sqsError, requestId)
          : queryErrorResponse(sqsError, requestId);
    }
    if (this.#latencyMs > 0 && !response.destroyed) await sleep(this.#latencyMs);
    if (response.destroyed) {
      undo();
      return;
    }
    response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    response.end(reply.body);
  }
}
