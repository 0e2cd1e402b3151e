import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts', 'contract/index': 'src/contract/index.ts' },
  format: 'esm',
  // Neutral: the same files run in Node and in browsers (a file path source reaches Node's fs through
  // process.getBuiltinModule, never an import).
  platform: 'neutral',
  target: 'es2023',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  // Chunks keep plain names (`names.js`): the API serves the browser build from a fixed list of files.
  hash: false,
});
