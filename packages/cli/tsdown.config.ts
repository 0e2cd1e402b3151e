import { defineConfig } from 'tsdown';

export default defineConfig({
  // index: the programmatic entry (runCli); main: what bin/media-server.js runs.
  entry: ['src/index.ts', 'src/main.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node24',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
