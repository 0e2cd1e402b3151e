/** A message attribute as stored and served: binary values are base64 strings (as in the JSON protocol). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A queue row. */
export interface QueueRecord {
  id: number;
  name: string;
  fifo: boolean;
  /** Settable attributes, values as strings exactly as AWS returns them. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
}

/** A message row. */
export interface MessageRecord {
  seq: number;
  queueId: number;
  id: string;
  body: string;
  messageAttributes: Record<string, MessageAttributeValue> | undefined;
  systemAttributes: Record<string, MessageAttributeValue> | undefined;
  md5Body: string;
  md5Attributes: string | undefined;
  md5SystemAttributes: string | undefined;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  lastReceiveAt: number | undefined;
  receipt: string | undefined;
  groupId: string | undefined;
  dedupId: string | undefined;
  sequenceNumber: string | undefined;
  deadLetterSourceArn: string | undefined;
}

/** Input object of an action (the JSON-protocol request shape). */
export type ActionInput = Record<string, unknown>;
/** Output object of an action (the JSON-protocol response shape). */
export type ActionOutput = Record<string, unknown>;
