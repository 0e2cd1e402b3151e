import { invalid } from './errors.ts';
import type { MessageAttributeValue } from './model.ts';

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,256}$/;
const TYPE_PATTERN = /^(String|Number|Binary)(\..{1,249})?$/;

/** Characters AWS allows in a message body or string attribute (XML 1.0 characters). */
export function hasOnlyAllowedCharacters(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters AWS rejects.
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(
    text,
  );
}

/**
 * Validates message attributes (or message system attributes when `system` is set) as AWS does and returns
 * them normalised (binary as base64), plus their size in bytes (name + type + value, counted toward the
 * message size limit).
 */
export function validateMessageAttributes(
  raw: unknown,
  system: boolean,
): { attributes: Record<string, MessageAttributeValue> | undefined; size: number } {
  if (raw === undefined || raw === null) return { attributes: undefined, size: 0 };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(
      'InvalidParameterValue',
      'MessageAttributes must be a map of name to MessageAttributeValue.',
    );
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return { attributes: undefined, size: 0 };
  if (entries.length > 10) {
    throw invalid(
      'InvalidParameterValue',
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  }
  const attributes: Record<string, MessageAttributeValue> = {};
  let size = 0;
  for (const [name, value] of entries) {
    if (system) {
      if (name !== 'AWSTraceHeader') {
        throw invalid('InvalidParameterValue', `Message system attribute name '${name}' is invalid.`);
      }
    } else if (
      !NAME_PATTERN.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws\.|amazon\.)/i.test(name)
    ) {
      throw invalid('InvalidParameterValue', `Message attribute name '${name}' is invalid.`);
    }
    if (typeof value !== 'object' || value === null) {
      throw invalid(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a MessageAttributeValue.`,
      );
    }
    const record = value as Record<string, unknown>;
    const dataType = record.DataType;
    if (typeof dataType !== 'string' || dataType === '') {
      throw invalid(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    if (!TYPE_PATTERN.test(dataType) || (system && dataType !== 'String')) {
      throw invalid(
        'InvalidParameterValue',
        `The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const isBinary = dataType.startsWith('Binary');
    const stringValue = record.StringValue;
    const binaryValue = record.BinaryValue;
    const normalised: MessageAttributeValue = { DataType: dataType };
    let valueSize: number;
    if (isBinary) {
      if (typeof binaryValue !== 'string' || binaryValue === '' || stringValue !== undefined) {
        throw invalid(
          'InvalidParameterValue',
          `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
        );
      }
      const bytes = Buffer.from(binaryValue, 'base64');
      if (bytes.length === 0) {
        throw invalid(
          'InvalidParameterValue',
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'Binary'.`,
        );
      }
      normalised.BinaryValue = bytes.toString('base64');
      valueSize = bytes.length;
    } else {
      if (typeof stringValue !== 'string' || stringValue === '' || binaryValue !== undefined) {
        throw invalid(
          'InvalidParameterValue',
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType.split('.')[0]}'.`,
        );
      }
      if (!hasOnlyAllowedCharacters(stringValue)) {
        throw invalid(
          'InvalidParameterValue',
          `The message attribute '${name}' contains characters outside the allowed set.`,
        );
      }
      if (dataType.startsWith('Number')) {
        const trimmed = stringValue.trim();
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
          throw invalid(
            'InvalidParameterValue',
            `Can't cast the value of message (user) attribute '${name}' to a number.`,
          );
        }
      }
      normalised.StringValue = stringValue;
      valueSize = Buffer.byteLength(stringValue, 'utf8');
    }
    attributes[name] = normalised;
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(dataType, 'utf8') + valueSize;
  }
  return { attributes, size };
}

/**
 * Picks the attributes a ReceiveMessage asked for: exact names, `All` or `.*` for every one, and
 * `prefix.*` for every name starting with `prefix.`.
 */
export function selectMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
  requested: readonly string[],
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || requested.length === 0) return undefined;
  const all = requested.includes('All') || requested.includes('.*');
  const prefixes = requested.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -1));
  const selected: Record<string, MessageAttributeValue> = {};
  let any = false;
  for (const [name, value] of Object.entries(attributes)) {
    if (all || requested.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      selected[name] = value;
      any = true;
    }
  }
  return any ? selected : undefined;
}
