import { describe, expect, it } from 'vitest';
import {
  decodeReceiptHandle,
  encodeReceiptHandle,
  newReceiptToken,
} from '../../../src/sqs/receipt-handle.ts';

describe('receipt handles', () => {
  it('round-trips queue, message and token', () => {
    // Prepare
    const handle = { queueId: 3, seq: 123456, token: newReceiptToken() };

    // Act
    const decoded = decodeReceiptHandle(encodeReceiptHandle(handle));

    // Assess
    expect(decoded).toEqual(handle);
  });

  it.each(['', 'garbage', '!!!', Buffer.from('lasqs1:1:2:short').toString('base64url')])(
    'rejects %j with ReceiptHandleIsInvalid',
    (value) => {
      // Act
      const decode = (): unknown => decodeReceiptHandle(value);

      // Assess
      expect(decode).toThrow(expect.objectContaining({ awsCode: 'ReceiptHandleIsInvalid' }));
    },
  );
});
