#!/usr/bin/env node
// The `media-server` command. Installed from the registry (no src/ there) it runs the built dist/main.js.
// Inside the workspace it runs the TypeScript source with the @media-server/source condition in a child
// Node (export conditions are fixed when Node starts): `pnpm exec media-server` needs no build and never
// runs a stale one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (!existsSync(source)) {
  await import(new URL('../dist/main.js', import.meta.url).href);
} else {
  // Its own process group, so that a Ctrl-C reaches it once (forwarded from here), not twice.
  const child = spawn(
    process.execPath,
    ['--conditions=@media-server/source', source, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      detached: true,
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
    process.exit();
  });
}
