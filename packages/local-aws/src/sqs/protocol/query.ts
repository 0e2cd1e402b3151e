import type { SqsServerError } from '../errors.ts';
import type { ActionInput, ActionOutput } from '../model.ts';
import type { WireResponse } from './wire.ts';
import { element, escapeXml } from './xml.ts';

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

interface Tree {
  [key: string]: Tree | string;
}

/** Turns `A.1.Name=x` style parameters into a tree (`{ A: { '1': { Name: 'x' } } }`). */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        if (typeof node[part] !== 'object') node[part] = value;
      } else {
        let child = node[part];
        if (typeof child !== 'object') {
          child = {};
          node[part] = child;
        }
        node = child;
      }
    }
  }
  return root;
}

function list(node: Tree | string | undefined): Array<Tree | string> {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key] as Tree | string);
}

function text(node: Tree | string | undefined): string | undefined {
  return typeof node === 'string' ? node : undefined;
}

function pairs(
  node: Tree | string | undefined,
  keyName: string,
  valueName: string,
): Record<string, string> | undefined {
  const entries = list(node);
  if (entries.length === 0) return undefined;
  const result: Record<string, string> = {};
  for (const entry of entries) {
    if (typeof entry === 'string') continue;
    const key = text(entry[keyName]);
    if (key !== undefined) result[key] = text(entry[valueName]) ?? '';
  }
  return result;
}

function strings(node: Tree | string | undefined): string[] | undefined {
  const entries = list(node)
    .map(text)
    .filter((entry): entry is string => entry !== undefined);
  return entries.length === 0 ? undefined : entries;
}

function messageAttributes(node: Tree | string | undefined): Record<string, unknown> | undefined {
  const entries = list(node);
  if (entries.length === 0) return undefined;
  const result: Record<string, unknown> = {};
  for (const entry of entries) {
    if (typeof entry === 'string') continue;
    const name = text(entry.Name);
    const value = entry.Value;
    if (name === undefined) continue;
    if (typeof value !== 'object') {
      result[name] = {};
      continue;
    }
    result[name] = {
      DataType: text(value.DataType),
      ...(text(value.StringValue) === undefined ? {} : { StringValue: text(value.StringValue) }),
      ...(text(value.BinaryValue) === undefined ? {} : { BinaryValue: text(value.BinaryValue) }),
    };
  }
  return result;
}

const SCALARS = [
  'QueueUrl',
  'QueueName',
  'QueueNamePrefix',
  'QueueOwnerAWSAccountId',
  'MaxResults',
  'NextToken',
  'MessageBody',
  'DelaySeconds',
  'MessageGroupId',
  'MessageDeduplicationId',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'ReceiveRequestAttemptId',
  'ReceiptHandle',
  'SourceArn',
  'DestinationArn',
  'MaxNumberOfMessagesPerSecond',
  'TaskHandle',
  'Id',
];

/** The JSON-shaped input of one entry or request. */
function shape(tree: Tree): ActionInput {
  const input: ActionInput = {};
  for (const name of SCALARS) {
    const value = text(tree[name]);
    if (value !== undefined) input[name] = value;
  }
  const assign = (name: string, value: unknown): void => {
    if (value !== undefined) input[name] = value;
  };
  assign('Attributes', pairs(tree.Attribute, 'Name', 'Value'));
  assign('AttributeNames', strings(tree.AttributeName));
  assign('MessageSystemAttributeNames', strings(tree.MessageSystemAttributeName));
  assign('MessageAttributeNames', strings(tree.MessageAttributeName));
  assign('MessageAttributes', messageAttributes(tree.MessageAttribute));
  assign('MessageSystemAttributes', messageAttributes(tree.MessageSystemAttribute));
  assign('TagKeys', strings(tree.TagKey));
  return input;
}

/** The action name and JSON-shaped input of a query-protocol request (form body and/or URL parameters). */
export function parseQueryRequest(
  method: string,
  url: URL,
  body: Buffer,
): { action: string; input: ActionInput } {
  const params = new URLSearchParams(url.search);
  if (method === 'POST' && body.length > 0) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.append(key, value);
  }
  const tree = toTree(params);
  const action = text(tree.Action) ?? '';
  const input = shape(tree);
  const tags = pairs(tree.Tag, 'Key', 'Value');
  if (tags !== undefined) input[action === 'CreateQueue' ? 'tags' : 'Tags'] = tags;
  const entryKey = `${action}RequestEntry`;
  const entries = list(tree[entryKey]);
  if (entries.length > 0) {
    input.Entries = entries.map((entry) => (typeof entry === 'string' ? {} : shape(entry)));
  } else if (action.endsWith('Batch')) {
    input.Entries = [];
  }
  if (input.QueueUrl === undefined && url.pathname.split('/').filter((part) => part !== '').length >= 2) {
    input.QueueUrl = `${url.origin}${url.pathname}`;
  }
  return { action, input };
}

function attributePairs(
  map: Record<string, string>,
  tag: string,
  keyName: string,
  valueName: string,
): string {
  return Object.entries(map)
    .map(([key, value]) => `<${tag}>${element(keyName, key)}${element(valueName, value)}</${tag}>`)
    .join('');
}

function messageAttributesXml(map: Record<string, Record<string, unknown>>): string {
  return Object.entries(map)
    .map(([name, value]) => {
      const inner = Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => element(key, String(item)))
        .join('');
      return `<MessageAttribute>${element('Name', name)}<Value>${inner}</Value></MessageAttribute>`;
    })
    .join('');
}

function fields(action: string, output: ActionOutput): string {
  let xml = '';
  for (const [key, value] of Object.entries(output)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'Attributes':
        xml += attributePairs(value as Record<string, string>, 'Attribute', 'Name', 'Value');
        break;
      case 'Tags':
        xml += attributePairs(value as Record<string, string>, 'Tag', 'Key', 'Value');
        break;
      case 'MessageAttributes':
        xml += messageAttributesXml(value as Record<string, Record<string, unknown>>);
        break;
      case 'QueueUrls':
      case 'queueUrls':
        xml += (value as string[]).map((url) => element('QueueUrl', url)).join('');
        break;
      case 'Messages':
        xml += (value as ActionOutput[])
          .map((message) => `<Message>${fields(action, message)}</Message>`)
          .join('');
        break;
      case 'Successful':
        xml += (value as ActionOutput[])
          .map((entry) => `<${action}ResultEntry>${fields(action, entry)}</${action}ResultEntry>`)
          .join('');
        break;
      case 'Failed':
        xml += (value as ActionOutput[])
          .map((entry) => `<BatchResultErrorEntry>${fields(action, entry)}</BatchResultErrorEntry>`)
          .join('');
        break;
      case 'Results':
        xml += (value as ActionOutput[])
          .map((entry) => `<${action}ResultEntry>${fields(action, entry)}</${action}ResultEntry>`)
          .join('');
        break;
      default:
        xml += element(key, String(value));
    }
  }
  return xml;
}

/** A query-protocol success response (`<ActionResponse><ActionResult>…`). */
export function queryResponse(action: string, output: ActionOutput, requestId: string): WireResponse {
  const inner = fields(action, output);
  const result =
    inner === '' && Object.keys(output).length === 0 && !RESULT_ALWAYS.has(action)
      ? ''
      : `<${action}Result>${inner}</${action}Result>`;
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

const RESULT_ALWAYS = new Set([
  'ReceiveMessage',
  'ListQueues',
  'GetQueueAttributes',
  'ListQueueTags',
  'ListDeadLetterSourceQueues',
]);

/** A query-protocol `<ErrorResponse>`. */
export function queryErrorResponse(error: SqsServerError, requestId: string): WireResponse {
  return {
    status: error.httpStatus,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.queryCode)}</Code><Message>${escapeXml(error.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
