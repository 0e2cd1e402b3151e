#!/usr/bin/env node
// The `local-aws` command. It lives outside dist/ so that pnpm can link it in a workspace before the first
// build (a bin that points into dist/ cannot be linked at install time and then stays missing after a build).
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write(
      'local-aws is not built yet: run `pnpm --filter @media-server/local-aws build` (or `pnpm build`) first.\n',
    );
    process.exit(1);
  }
  throw error;
}
