import type { S3NotificationConfig } from './s3-notification-rule.ts';

/** An S3 API error to answer with (code and HTTP status as S3 uses them). */
export class S3ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'S3ApiError';
    this.code = code;
    this.status = status;
  }
}

/** A queue configuration as the S3 API carries it: the queue is an ARN. */
export interface QueueConfigurationEntry {
  id?: string | undefined;
  queueArn: string;
  events: string[];
  prefix?: string | undefined;
  suffix?: string | undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? '';
  });
}

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&${Object.entries(ENTITIES).find(([, c]) => c === char)?.[0]};`);
}

function elements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

function element(xml: string, tag: string): string | undefined {
  const found = elements(xml, tag)[0];
  return found === undefined ? undefined : unescapeXml(found.trim());
}

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

/** Parses a `PutBucketNotificationConfiguration` body; refuses destinations other than SQS. */
export function parseNotificationConfigurationXml(xml: string): QueueConfigurationEntry[] {
  if (!/<NotificationConfiguration[\s>/]/.test(xml)) throw new S3ApiError('MalformedXML', 400, MALFORMED);
  for (const tag of [
    'TopicConfiguration',
    'CloudFunctionConfiguration',
    'LambdaFunctionConfiguration',
    'EventBridgeConfiguration',
  ]) {
    if (new RegExp(`<${tag}[\\s>/]`).test(xml)) {
      throw new S3ApiError(
        'NotImplemented',
        501,
        `local-aws sends bucket notifications to SQS queues only (${tag})`,
      );
    }
  }
  return elements(xml, 'QueueConfiguration').map((body) => {
    const queueArn = element(body, 'Queue');
    const events = elements(body, 'Event').map((event) => unescapeXml(event.trim()));
    if (!queueArn || events.length === 0) throw new S3ApiError('MalformedXML', 400, MALFORMED);
    const entry: QueueConfigurationEntry = { queueArn, events };
    const id = element(body, 'Id');
    if (id) entry.id = id;
    for (const rule of elements(body, 'FilterRule')) {
      const name = element(rule, 'Name')?.toLowerCase();
      const value = element(rule, 'Value') ?? '';
      if (name !== 'prefix' && name !== 'suffix') {
        throw new S3ApiError('InvalidArgument', 400, 'filter rule name must be either prefix or suffix');
      }
      if (!value) throw new S3ApiError('InvalidArgument', 400, 'filter value cannot be empty');
      entry[name] = value;
    }
    return entry;
  });
}

/** Serializes queue configurations as `GetBucketNotificationConfiguration` answers. */
export function serializeNotificationConfigurationXml(entries: readonly QueueConfigurationEntry[]): string {
  const queues = entries.map((entry) => {
    const rules = [
      ...(entry.prefix ? [['Prefix', entry.prefix] as const] : []),
      ...(entry.suffix ? [['Suffix', entry.suffix] as const] : []),
    ]
      .map(
        ([name, value]) => `<FilterRule><Name>${name}</Name><Value>${escapeXml(value)}</Value></FilterRule>`,
      )
      .join('');
    return [
      '<QueueConfiguration>',
      entry.id ? `<Id>${escapeXml(entry.id)}</Id>` : '',
      `<Queue>${escapeXml(entry.queueArn)}</Queue>`,
      ...entry.events.map((event) => `<Event>${escapeXml(event)}</Event>`),
      rules ? `<Filter><S3Key>${rules}</S3Key></Filter>` : '',
      '</QueueConfiguration>',
    ].join('');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${queues.join('')}</NotificationConfiguration>`;
}

/** The queue name in an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function queueNameOfArn(arn: string): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || !parts[5]) {
    throw new S3ApiError('InvalidArgument', 400, `The ARN could not be parsed: ${arn}`);
  }
  return parts[5];
}

/** Turns an API queue configuration into the options form (queue by name). */
export function toNotificationConfig(bucket: string, entry: QueueConfigurationEntry): S3NotificationConfig {
  return {
    bucket,
    queue: queueNameOfArn(entry.queueArn),
    events: entry.events,
    ...(entry.id ? { id: entry.id } : {}),
    ...(entry.prefix ? { prefix: entry.prefix } : {}),
    ...(entry.suffix ? { suffix: entry.suffix } : {}),
  };
}

/** An S3 error response body. */
export function s3ErrorXml(error: S3ApiError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
}
