import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LocalAwsError } from './local-aws-error.ts';
import type { S3NotificationConfig } from './s3-notification-rule.ts';

/** An S3 error to answer a request with (code `'S3RequestFailed'`; S3's error code and HTTP status as S3 uses them). */
export class S3ApiError extends LocalAwsError {
  /** S3's error code, the `<Code>` of the error XML (`MalformedXML`, `InvalidArgument`, `NoSuchBucket`, ...). */
  readonly awsCode: string;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(awsCode: string, status: number, message: string) {
    super('S3RequestFailed', message);
    this.name = 'S3ApiError';
    this.awsCode = awsCode;
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

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&${Object.entries(ENTITIES).find(([, c]) => c === char)?.[0]};`);
}

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';
const UNSUPPORTED_DESTINATIONS = [
  'TopicConfiguration',
  'CloudFunctionConfiguration',
  'LambdaFunctionConfiguration',
  'EventBridgeConfiguration',
] as const;
/** Elements that may repeat: always parsed as arrays. */
const REPEATED = new Set(['QueueConfiguration', 'Event', 'FilterRule', ...UNSUPPORTED_DESTINATIONS]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  htmlEntities: true,
  isArray: (name) => REPEATED.has(name),
});

type XmlNode = Record<string, unknown>;

function malformed(): S3ApiError {
  return new S3ApiError('MalformedXML', 400, MALFORMED);
}

/** A child element as an object (`<A/>` and `<A></A>` parse as ''). */
function node(value: unknown): XmlNode {
  if (value === '' || value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  return value as XmlNode;
}

/** A child element's text, or undefined when it is absent. */
function text(parent: XmlNode, name: string): string | undefined {
  const value = parent[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed();
  return value;
}

function list(parent: XmlNode, name: string): unknown[] {
  const value = parent[name];
  return Array.isArray(value) ? value : [];
}

/** Parses a `PutBucketNotificationConfiguration` body; refuses destinations other than SQS. */
export function parseNotificationConfigurationXml(xml: string): QueueConfigurationEntry[] {
  if (XMLValidator.validate(xml) !== true) throw malformed();
  const document = parser.parse(xml) as XmlNode;
  if (!('NotificationConfiguration' in document)) throw malformed();
  const configuration = node(document.NotificationConfiguration);
  for (const tag of UNSUPPORTED_DESTINATIONS) {
    if (tag in configuration) {
      throw new S3ApiError(
        'NotImplemented',
        501,
        `local-aws sends bucket notifications to SQS queues only (${tag})`,
      );
    }
  }
  return list(configuration, 'QueueConfiguration').map((item) => {
    const body = node(item);
    const queueArn = text(body, 'Queue');
    const events = list(body, 'Event').map((event) => {
      if (typeof event !== 'string') throw malformed();
      return event;
    });
    if (!queueArn || events.length === 0) throw malformed();
    const entry: QueueConfigurationEntry = { queueArn, events };
    const id = text(body, 'Id');
    if (id) entry.id = id;
    const rules = list(node(node(body.Filter).S3Key), 'FilterRule');
    for (const item of rules) {
      const rule = node(item);
      const name = text(rule, 'Name')?.toLowerCase();
      const value = text(rule, 'Value') ?? '';
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
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.awsCode)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
}
