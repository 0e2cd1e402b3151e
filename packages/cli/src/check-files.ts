import { open, stat } from 'node:fs/promises';
import { UploadSourceError } from '@media-server/client';

/** Checks every file before anything is uploaded: one bad path stops the command, nothing half-sent. */
export async function checkFiles(paths: readonly string[]): Promise<Array<{ path: string; size: number }>> {
  const checked = [];
  for (const path of paths) {
    let size: number;
    try {
      const stats = await stat(path);
      if (stats.isDirectory())
        throw new UploadSourceError(`${path}: is a directory, not a file`, 'SOURCE_IS_DIRECTORY');
      if (!stats.isFile()) throw new UploadSourceError(`${path}: not a regular file`, 'SOURCE_UNREADABLE');
      size = stats.size;
      await (await open(path, 'r')).close();
    } catch (error) {
      if (error instanceof UploadSourceError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new UploadSourceError(`${path}: no such file`, 'SOURCE_NOT_FOUND', { cause: error });
      }
      throw new UploadSourceError(`${path}: cannot read it (${code ?? 'error'})`, 'SOURCE_UNREADABLE', {
        cause: error,
      });
    }
    checked.push({ path, size });
  }
  return checked;
}
