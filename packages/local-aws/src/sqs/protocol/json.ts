import type { IncomingHttpHeaders } from 'node:http';
import { SqsServerError } from '../errors.ts';
import type { ActionInput, ActionOutput } from '../model.ts';
import type { WireResponse } from './wire.ts';

const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** Whether a request speaks the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Action>`). */
export function isJsonRequest(headers: IncomingHttpHeaders): boolean {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('AmazonSQS.');
}

/** The action name and input of a JSON-protocol request. */
export function parseJsonRequest(
  headers: IncomingHttpHeaders,
  body: Buffer,
): { action: string; input: ActionInput } {
  const action = String(headers['x-amz-target']).slice('AmazonSQS.'.length);
  const text = body.toString('utf8').trim();
  if (text === '') return { action, input: {} };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (cause) {
    throw new SqsServerError(
      'SerializationException',
      'Start of structure or map found where not expected / the request body is not valid JSON.',
      { cause },
    );
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SqsServerError('SerializationException', 'The request body must be a JSON object.');
  }
  return { action, input: input as ActionInput };
}

/** A JSON-protocol success response. */
export function jsonResponse(output: ActionOutput, requestId: string): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify(output),
  };
}

/** A JSON-protocol error response with the `x-amzn-query-error` header the SDK maps to error classes. */
export function jsonErrorResponse(error: SqsServerError, requestId: string): WireResponse {
  return {
    status: error.httpStatus,
    headers: {
      'content-type': CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${error.queryCode};${error.fault}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.awsCode}`, message: error.message }),
  };
}
