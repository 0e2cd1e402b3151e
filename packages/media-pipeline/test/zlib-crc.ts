import * as nodeZlib from 'node:zlib';

/** node:zlib with `crc32` typed (Node ≥ 22.2). */
export const zlib: { crc32(data: Uint8Array): number } = nodeZlib as unknown as {
  crc32(data: Uint8Array): number;
};
