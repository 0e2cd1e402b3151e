import { createHash, hash } from 'node:crypto';
import type { MessageAttributeValue } from './model.ts';

/** Hex MD5 of a message body's UTF-8 bytes (AWS `MD5OfMessageBody`). */
export function md5OfBody(body: string): string {
  return hash('md5', body, 'hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/**
 * Hex MD5 of message attributes as AWS computes it: attributes sorted by name; for each, the name, the data
 * type (each as 4-byte big-endian length + UTF-8 bytes), a transport byte (1 = string, 2 = binary), then the
 * value (4-byte length + bytes). Undefined when there are no attributes.
 */
export function md5OfMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): string | undefined {
  if (attributes === undefined) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(value.BinaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
