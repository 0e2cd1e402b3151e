// Bundles one app (apps/<app>/src/main.ts) into <outDir>/main.js for its image: the workspace packages are
// compiled in from their TypeScript sources (Node refuses to strip types under node_modules, so a deploy
// folder cannot run them as source), every third-party package stays an import, installed by
// `pnpm deploy --prod`. Usage: node infra/images/bundle-app.ts <api|worker> <outDir>
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsdown';

const [app, outDir] = process.argv.slice(2);
if ((app !== 'api' && app !== 'worker') || outDir === undefined) {
  process.stderr.write('usage: node infra/images/bundle-app.ts <api|worker> <outDir>\n');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

await build({
  config: false,
  cwd: root,
  entry: { main: join(root, 'apps', app, 'src', 'main.ts') },
  outDir: resolve(outDir),
  format: 'esm',
  platform: 'node',
  target: 'node24',
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  logLevel: 'warn',
  // Bare imports stay imports, except the workspace's own packages, which are bundled from source.
  deps: { neverBundle: /^(?!@media-server\/)[^./]/, onlyBundle: false },
  inputOptions: { resolve: { conditionNames: ['@media-server/source', 'import', 'node', 'default'] } },
});
