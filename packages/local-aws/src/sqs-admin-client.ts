/**
 * The few SQS calls `startLocalAws` needs to set queues up, made over the AWS JSON protocol against the
 * embedded server's own endpoint (so setup goes through the same code paths as any client).
 */
export class SqsAdminClient {
  readonly #endpoint: string;

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  async #call(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(this.#endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(parsed.__type ?? parsed.code ?? 'UnknownError');
      const error = new Error(`SQS ${action} failed: ${type}: ${String(parsed.message ?? text)}`);
      Object.assign(error, { type: type.replace(/^.*#/, ''), status: response.status });
      throw error;
    }
    return parsed;
  }

  /** The queue's URL, or undefined when no queue has that name. */
  async getQueueUrl(name: string): Promise<string | undefined> {
    try {
      const result = await this.#call('GetQueueUrl', { QueueName: name });
      return String(result.QueueUrl);
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === 'QueueDoesNotExist' || type === 'AWS.SimpleQueueService.NonExistentQueue') {
        return undefined;
      }
      throw error;
    }
  }

  /** The queue's ARN. */
  async getQueueArn(queueUrl: string): Promise<string> {
    const result = await this.#call('GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn'],
    });
    const attributes = result.Attributes as Record<string, string> | undefined;
    const arn = attributes?.QueueArn;
    if (!arn) throw new Error(`SQS GetQueueAttributes returned no QueueArn for ${queueUrl}`);
    return arn;
  }

  /** Sets attributes on an existing queue. */
  async setQueueAttributes(queueUrl: string, attributes: Record<string, string>): Promise<void> {
    await this.#call('SetQueueAttributes', { QueueUrl: queueUrl, Attributes: attributes });
  }
}
