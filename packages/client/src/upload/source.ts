import { UploadSourceError } from '../errors.ts';

/**
 * What `upload()` sends: a `Blob`/`File` (browsers, or Node's `fs.openAsBlob`), a file path (Node only:
 * read from disk part by part, never whole), or a stream of bytes (a web `ReadableStream` or any async
 * iterable such as a Node `Readable`, with `size` given in the options).
 */
export type UploadSource = Blob | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A source with its size known and a way to get the bytes of a range. */
export interface OpenedSource {
  name: string;
  size: number;
  /** MIME type the source says it has (a Blob's `type`); empty when unknown. */
  type: string;
  /** Random access (Blob, file): any part, any number of times (so a failed part can be retried). */
  blob: Blob | undefined;
  /** Sequential access (streams): the next `length` bytes, in part order. */
  read: ((length: number) => Promise<Uint8Array>) | undefined;
  /**
   * Random access into a caller's buffer (a file path in Node): fills `target` from `position`, so that
   * an upload reuses a few buffers instead of allocating one per chunk.
   */
  readInto: ((target: Uint8Array, position: number) => Promise<void>) | undefined;
  /** Releases what the source holds open (the file). */
  close(): Promise<void>;
}

interface FileHandleLike {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

interface NodeFs {
  promises: { stat(path: string): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }> };
  openAsBlob(path: string, options?: { type?: string }): Promise<Blob>;
}
interface NodeFsPromises {
  open(path: string, flags: string): Promise<FileHandleLike>;
}

/**
 * Node's `fs` without importing it, so that the browser path of this package has no Node import: a
 * path is only accepted where `process.getBuiltinModule` exists (Node ≥ 22.3, Deno, Bun).
 */
function nodeBuiltin<T>(name: string): T | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return processLike?.getBuiltinModule?.(name) as T | undefined;
}

const NO_ACCESS = {
  blob: undefined,
  read: undefined,
  readInto: undefined,
  close: async (): Promise<void> => {},
};

export async function openSource(
  source: UploadSource,
  options: { filename?: string | undefined; size?: number | undefined },
): Promise<OpenedSource> {
  if (typeof source === 'string') return openPath(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = options.filename ?? (source as Blob & { name?: string }).name ?? 'upload';
    return { ...NO_ACCESS, name, size: source.size, type: source.type, blob: source };
  }
  if (options.size === undefined || !Number.isInteger(options.size) || options.size < 0) {
    throw new UploadSourceError(
      'a stream has no size of its own: pass `size` (bytes) in the upload options',
      'SOURCE_SIZE_UNKNOWN',
    );
  }
  const size = options.size;
  const stream = source as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in stream ? stream : streamIterable(stream);
  return { ...NO_ACCESS, name: options.filename ?? 'upload', size, type: '', read: byteReader(iterable) };
}

async function openPath(path: string): Promise<OpenedSource> {
  const fs = nodeBuiltin<NodeFs>('node:fs');
  const fsPromises = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  if (fs === undefined || fsPromises === undefined) {
    throw new UploadSourceError(
      'a file path can only be uploaded from Node; pass a File or Blob',
      'SOURCE_UNREADABLE',
    );
  }
  let stats: { size: number; isFile(): boolean; isDirectory(): boolean };
  try {
    stats = await fs.promises.stat(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UploadSourceError(`${path}: no such file`, 'SOURCE_NOT_FOUND', { cause: error });
    }
    throw new UploadSourceError(`${path}: cannot read it (${code ?? 'error'})`, 'SOURCE_UNREADABLE', {
      cause: error,
    });
  }
  if (stats.isDirectory()) {
    throw new UploadSourceError(`${path}: is a directory, not a file`, 'SOURCE_IS_DIRECTORY');
  }
  if (!stats.isFile()) throw new UploadSourceError(`${path}: not a regular file`, 'SOURCE_UNREADABLE');
  let handle: FileHandleLike;
  try {
    // Opening proves the file is readable now, before an upload is created for it.
    handle = await fsPromises.open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new UploadSourceError(`${path}: cannot read it (${code})`, 'SOURCE_UNREADABLE', { cause: error });
  }
  const name = path.split(/[\\/]/).pop() || 'upload';
  const size = stats.size;
  return {
    name,
    size,
    type: '',
    blob: await fs.openAsBlob(path),
    read: undefined,
    async readInto(target, position) {
      let filled = 0;
      while (filled < target.length) {
        const { bytesRead } = await handle.read(target, filled, target.length - filled, position + filled);
        if (bytesRead === 0) {
          throw new UploadSourceError(`${path}: the file shrank while it was uploaded`, 'SOURCE_UNREADABLE');
        }
        filled += bytesRead;
      }
    },
    close: () => handle.close(),
  };
}

async function* streamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads exact byte counts from a stream of chunks of any size. */
function byteReader(iterable: AsyncIterable<Uint8Array>): (length: number) => Promise<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  let pending: Uint8Array = new Uint8Array(0);
  return async (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (pending.length === 0) {
        const next = await iterator.next();
        if (next.done) {
          throw new UploadSourceError(
            `the stream ended after ${filled} of the ${length} bytes of a part: it is shorter than \`size\``,
            'SOURCE_UNREADABLE',
          );
        }
        pending = next.value;
      }
      const take = Math.min(pending.length, length - filled);
      out.set(pending.subarray(0, take), filled);
      pending = pending.subarray(take);
      filled += take;
    }
    return out;
  };
}
