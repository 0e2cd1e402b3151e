import { Agent, request } from 'node:http';

/**
 * A minimal AWS JSON 1.0 SQS client (node:http, no SDK, no checksums): costs the benchmark process little
 * CPU, so the round trips it drives measure the server rather than the client.
 */
export class RawJsonClient {
  readonly #url: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 128 });

  constructor(endpoint: string) {
    this.#url = new URL(endpoint);
  }

  call(action: string, input: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          path: '/',
          method: 'POST',
          agent: this.#agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `AmazonSQS.${action}`,
            'x-amzn-query-mode': 'true',
            authorization:
              'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((response.statusCode ?? 500) >= 300) {
              reject(new Error(`${action}: HTTP ${response.statusCode} ${text}`));
              return;
            }
            resolve(text === '' ? {} : (JSON.parse(text) as Record<string, unknown>));
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  destroy(): void {
    this.#agent.destroy();
  }
}
