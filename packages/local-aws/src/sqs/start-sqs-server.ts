import type { AddressInfo } from 'node:net';
import { InvalidConfigurationError, isAddressInUse, PortInUseError } from '../local-aws-error.ts';
import { SqsServerError } from './errors.ts';
import { SqsHttpServer } from './http-server.ts';
import { SqsEngine } from './sqs-engine.ts';
import { SqsStore } from './store.ts';

/** Options of {@link startSqsServer}. */
export interface SqsServerOptions {
  /** TCP port to listen on; `0` picks a free one. Default `0`. */
  port?: number | undefined;
  /** Interface to bind. Default `'127.0.0.1'`. */
  host?: string | undefined;
  /**
   * Directory for the SQLite database (`sqs.sqlite`, WAL mode): every acknowledged send, delete and
   * visibility change is committed before the reply. Omitted: in memory, lost on stop.
   */
  dataDir?: string | undefined;
  /**
   * With a `dataDir`: `false` (default) commits to the OS before each reply (SQLite `synchronous=NORMAL`),
   * which survives the process being killed (kill -9, crash) but not a power loss or kernel crash; `true`
   * also fsyncs every group commit (`synchronous=FULL`), which survives those too and is slower.
   */
  fsync?: boolean | undefined;
  /** Account id in queue URLs and ARNs. Default `'000000000000'`. */
  accountId?: string | undefined;
  /** Region in queue ARNs. Default `'us-east-1'`. */
  region?: string | undefined;
  /**
   * Milliseconds added before every answer is written, to stand in for the network: real SQS answers in
   * 10–30 ms, loopback in about 1, and a consumer's throughput is decided by that wait. The action runs
   * first (a received message is in flight from then on), then the answer waits. A long poll that waits
   * 20 s still waits 20 s, then this. Default `0`.
   */
  latencyMs?: number | undefined;
}

/** A message attribute for {@link SqsServer.sendMessage}, as SQS's `MessageAttributeValue`. */
export interface SqsMessageAttribute {
  /** `String`, `Number` or `Binary`, optionally with a custom suffix (`Number.int`). */
  DataType: string;
  /** The value of a `String` or `Number` attribute. */
  StringValue?: string;
  /** The value of a `Binary` attribute. */
  BinaryValue?: Uint8Array;
}

/** A running SQS-compatible server. */
export interface SqsServer {
  /** Base URL, `http://127.0.0.1:<port>`: use it as the SQS client's `endpoint`. */
  readonly endpoint: string;
  /** Queue URL of a queue name: `http://127.0.0.1:<port>/<account>/<name>`. */
  queueUrl(name: string): string;
  /**
   * Creates a queue (idempotent as in AWS: same attributes → same URL; different ones → `QueueAlreadyExists`).
   * A name ending in `.fifo` gets `FifoQueue: 'true'` added. Returns the queue URL.
   */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  /**
   * Sends a message in-process (durable before it resolves; wakes waiting long polls). Rejects with
   * {@link QueueDoesNotExistError}, an {@link InvalidSqsRequestError} (a FIFO message without
   * `messageGroupId`, ...) or {@link SqsServerClosedError}.
   */
  sendMessage(
    queueName: string,
    body: string,
    options?: {
      delaySeconds?: number;
      messageAttributes?: Record<string, SqsMessageAttribute>;
      messageGroupId?: string;
      messageDeduplicationId?: string;
    },
  ): Promise<{ messageId: string }>;
  /** Stops listening, ends pending long polls (they answer with no messages), closes the database. */
  stop(): Promise<void>;
}

/**
 * Starts an SQS-compatible server speaking the AWS JSON 1.0 protocol (`@aws-sdk/client-sqs` 3.x) and the
 * query protocol (older SDKs, AWS CLI). Use {@link startLocalAws} for SQS and S3 together. Always `stop()` it.
 *
 * @throws {@link InvalidConfigurationError} for a `latencyMs` outside 0..60000; rejects with
 *   {@link PortInUseError} when `port` is taken.
 * @example
 * ```ts
 * import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
 * import { startSqsServer } from '@media-server/local-aws';
 *
 * const sqs = await startSqsServer({ dataDir: './.data/sqs' });
 * const queueUrl = await sqs.createQueue('jobs');
 * await sqs.sendMessage('jobs', 'hello');
 * const client = new SQSClient({
 *   endpoint: sqs.endpoint,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
 * });
 * const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
 * console.log(Messages?.[0]?.Body); // hello
 * client.destroy();
 * await sqs.stop();
 * ```
 */
export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const host = options.host ?? '127.0.0.1';
  const latencyMs = options.latencyMs ?? 0;
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0 && latencyMs <= 60_000)) {
    throw new InvalidConfigurationError(
      `latencyMs must be a number from 0 to 60000, got ${String(options.latencyMs)}`,
    );
  }
  const store = new SqsStore(options.dataDir, options.fsync ?? false);
  const engine = new SqsEngine(store, {
    accountId: options.accountId ?? '000000000000',
    region: options.region ?? 'us-east-1',
  });
  const http = new SqsHttpServer(engine, latencyMs);
  try {
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(options.port ?? 0, host, () => {
        http.server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    engine.close();
    store.close();
    if (isAddressInUse(error)) throw new PortInUseError('sqs', host, options.port ?? 0, { cause: error });
    throw error;
  }
  const { port } = http.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const endpoint = `http://${urlHost}:${port}`;
  engine.endpoint = endpoint;
  let stopping: Promise<void> | undefined;

  return {
    endpoint,
    queueUrl: (name) => engine.queueUrl(name),
    createQueue: async (name, attributes = {}) => {
      const withFifo =
        name.endsWith('.fifo') && attributes.FifoQueue === undefined
          ? { ...attributes, FifoQueue: 'true' }
          : attributes;
      const queue = engine.createQueue(name, withFifo, {});
      await engine.store.committed();
      return engine.queueUrl(queue.name);
    },
    sendMessage: async (queueName, body, sendOptions = {}) => {
      const queue = engine.queueByName(queueName);
      const attributes =
        sendOptions.messageAttributes === undefined
          ? undefined
          : Object.fromEntries(
              Object.entries(sendOptions.messageAttributes).map(([name, value]) => [
                name,
                {
                  DataType: value.DataType,
                  ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
                  ...(value.BinaryValue === undefined
                    ? {}
                    : { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
                },
              ]),
            );
      const [result] = engine.sendMessages(queue, [
        {
          body,
          delaySeconds: sendOptions.delaySeconds,
          messageAttributes: attributes,
          groupId: sendOptions.messageGroupId,
          dedupId: sendOptions.messageDeduplicationId,
        },
      ]);
      if (result === undefined) throw new SqsServerError('InternalFailure', 'Send produced no result.');
      if (result instanceof Error) throw result;
      await engine.store.committed();
      return { messageId: result.messageId };
    },
    stop: () => {
      stopping ??= (async () => {
        engine.close();
        http.server.close();
        http.server.closeIdleConnections();
        await http.drained(5_000);
        http.server.closeAllConnections();
        store.close();
      })();
      return stopping;
    },
  };
}
