import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

export interface PrivateRegistry {
  url: string;
  /** An npmrc that sends the @media-server scope (and nothing else) to this registry. */
  scopedNpmrc: string;
  /** An npmrc with the token only, for `pnpm publish --registry`. */
  tokenNpmrc: string;
  stop(): Promise<void>;
}

/** Verdaccio on loopback with a temporary storage, no uplinks: nothing it serves comes from elsewhere. */
export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'media-server-registry-'));
  const config = {
    self_path: dir,
    storage: join(dir, 'storage'),
    uplinks: {},
    packages: {
      '@media-server/*': { access: '$all', publish: '$all', unpublish: '$all' },
      '**': { access: '$all' },
    },
    logs: { type: 'stdout', format: 'pretty', level: 'error' },
    security: { api: { legacy: true } },
    web: { enable: false },
  };
  const app = (await runServer(config)) as Server;
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
  const auth = `//${url.slice('http://'.length)}:_authToken=release-test-token`;
  const scopedNpmrc = join(dir, 'scoped.npmrc');
  const tokenNpmrc = join(dir, 'token.npmrc');
  await writeFile(scopedNpmrc, `@media-server:registry=${url}\n${auth}\n`);
  await writeFile(tokenNpmrc, `${auth}\n`);
  return {
    url,
    scopedNpmrc,
    tokenNpmrc,
    async stop() {
      app.closeAllConnections?.();
      await new Promise<void>((resolve) => app.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
